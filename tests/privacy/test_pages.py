"""The policy, its history and diffs, and the notices (공지사항), as visitors see them."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from privacy.models import Notice
from tests.privacy.factories import announce

pytestmark = pytest.mark.policy("12")

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args):
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def second_version(policy):
    return announce(
        "2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), summary="항목 정리"
    )


def test_policy_page_reads_like_the_original(client, policy):
    html = client.get(reverse("privacy:policy")).content.decode()
    assert "<h1" in html and html.count('<h2 id="s') == 12
    assert html.count("<table>") >= 3
    assert '<nav class="toc"' in html and 'href="#s5"' in html
    assert "공고일자 : 2013년 10월 21일" in html


def test_policy_page_announces_the_upcoming_version(client, second_version):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        html = client.get(reverse("privacy:policy")).content.decode()
    assert "2026-03-10" in html
    assert reverse("privacy:diff", args=["1.0", "2.0"]) in html
    assert "Version 1.0" in html or "버전 1.0" in html


def test_policy_page_switches_to_the_new_version_when_it_takes_effect(client, second_version):
    with time_machine.travel(seoul(2026, 3, 10), tick=False):
        response = client.get(reverse("privacy:policy"))
    assert response.context["version"] == second_version
    assert not response.context["upcoming"]


def test_history_lists_every_version_with_its_dates(client, second_version):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        html = client.get(reverse("privacy:history")).content.decode()
    assert "2013-10-21" in html and "2026-03-10 00:00" in html and "항목 정리" in html


def test_a_version_page_and_an_unknown_one(client, second_version):
    assert client.get(reverse("privacy:version", args=["2.0"])).status_code == 200
    assert client.get(reverse("privacy:version", args=["9.9"])).status_code == 404
    assert client.get("/privacy/v/../").status_code == 404


def test_diff_shows_added_and_removed_lines_escaped(client, policy):
    announce(
        "2.0",
        now=seoul(2026, 3, 1),
        effective_at=seoul(2026, 3, 10),
        body=policy.body.replace("필수항목", "<b>필수</b>항목"),
    )
    response = client.get(reverse("privacy:diff", args=["1.0", "2.0"]))
    html = response.content.decode()
    assert [section.anchor for section in response.context["sections"]] == ["s1-ga"]
    assert "<b>" not in html and "<del><strong>필수항목</strong></del>" in html


def test_diff_of_unknown_versions_is_404(client, policy):
    assert client.get(reverse("privacy:diff", args=["1.0", "7.0"])).status_code == 404


def test_script_in_a_version_or_notice_never_reaches_the_page(client, policy):
    hostile = (
        "# T\n\n<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))"
    )
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), body=hostile)
    notice = Notice.objects.create(title="공지", body=hostile, published_at=seoul(2026, 3, 1))
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        pages = [
            client.get(reverse("privacy:policy")).content.decode(),
            client.get(reverse("notices:detail", args=[notice.pk])).content.decode(),
        ]
    for html in pages:
        assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_notices_newest_first_pinned_on_top_and_paginated(client, policy):
    for day in range(1, 13):
        Notice.objects.create(title=f"공지 {day}", body="본문", published_at=seoul(2026, 1, day))
    Notice.objects.create(
        title="고정 공지", body="본문", published_at=seoul(2025, 1, 1), pinned=True
    )
    with time_machine.travel(seoul(2026, 2, 1), tick=False):
        first = client.get(reverse("notices:list"))
        titles = [notice.title for notice in first.context["page"].object_list]
        assert titles[:3] == ["고정 공지", "공지 12", "공지 11"]
        assert first.context["page"].paginator.num_pages == 2
        assert client.get(reverse("notices:list"), {"page": "zzz"}).status_code == 200


def test_future_notices_are_not_published_yet(client, policy):
    notice = Notice.objects.create(title="예정 공지", body="본문", published_at=seoul(2030, 1, 1))
    assert "예정 공지" not in client.get(reverse("notices:list")).content.decode()
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404


def test_home_lists_the_latest_notices(client, second_version):
    with time_machine.travel(seoul(2026, 3, 2), tick=False):
        html = client.get("/").content.decode()
    assert "개인정보처리방침 개정 안내" in html
    # One notices section: a second one, fed by a variable no view sets, said there were none.
    assert html.count("<h2>공지사항</h2>") == 1
    assert "공지사항이 없습니다" not in html


@pytest.mark.parametrize(
    "language, words",
    [
        ("ko", ["개인정보처리방침 변경 이력", "시행"]),
        ("en", ["Privacy Policy history", "Effective"]),
    ],
)
def test_history_in_korean_and_english(client, policy, language, words):
    client.cookies["django_language"] = language
    html = client.get(reverse("privacy:history")).content.decode()
    for word in words:
        assert word in html


@pytest.mark.policy("10")
def test_footer_and_my_data_link_to_the_privacy_officer(reauthed_client):
    for url in ("/", reverse("accounts:me")):
        assert 'href="/privacy/#s10"' in reauthed_client.get(url).content.decode()
