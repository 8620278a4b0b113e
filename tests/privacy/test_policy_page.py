"""The policy page shows version 1 as the original reads (policy §1–§12)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from retention.registry import category

pytestmark = pytest.mark.policy("12")

# The record kinds of the 2013 text's retention tables (§5), per registry category.
STATED_ITEMS = {
    "부정이용기록": "misuse",
    "계약 또는 청약철회 등에 관한 기록": "contract",
    "대금결제 및 재화 등의 공급에 관한 기록": "payment",
    "소비자의 불만 또는 분쟁처리에 관한 기록": "complaint",
    "본인확인에 관한 기록": "identity",
    "방문에 관한 기록": "visit",
}


def stated_months(period: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(년|개월)", period).groups()
    return int(number) * (12 if unit == "년" else 1)


def test_policy_page_shows_version_1_with_all_sections(client, policy):
    html = client.get(reverse("privacy:policy")).content.decode()
    assert policy.label == "1.0"
    for number in range(1, 13):
        assert f'id="s{number}"' in html
    assert "<table>" in html
    assert "김화중" in html and "nexcore4u@sk.com" in html
    assert "2013-10-21" in html


@pytest.mark.policy("5 가", "5 나")
def test_every_retention_period_in_the_policy_matches_the_registry(policy):
    rows = re.findall(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$", policy.body, re.M)
    stated = {item: period for item, _reason, period in rows if item in STATED_ITEMS}
    assert set(stated) == set(STATED_ITEMS)
    for item, period in stated.items():
        assert category(STATED_ITEMS[item]).months == stated_months(period), item


def test_markup_in_a_policy_text_never_reaches_the_page():
    from privacy.rendering import render_markdown

    html = render_markdown(
        "# T\n\n<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))"
    ).body
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
