"""What a covered member sees, and the support desk's targets that their contract sets."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Product
from support.hours import add_working_hours
from support.models import Inquiry
from tests.retention.conftest import seoul
from tests.support.conftest import inquiry_form

pytestmark = pytest.mark.feature

ME = reverse("accounts:me")


def test_a_covered_member_sees_contract_tier_end_and_days_left(
    reauthed_client, member, make_contract, cover
):
    today = timezone.localdate()
    contract = make_contract("NXC-2026-042", ends_on=today + datetime.timedelta(days=45))
    cover(member, contract)
    for url in (ME, reverse("support:list"), reverse("support:new")):
        page = reauthed_client.get(url).content.decode()
        assert "NXC-2026-042" in page and "Premium" in page, url
        assert (today + datetime.timedelta(days=45)).isoformat() in page
        assert "45일 남음" in page, url


def test_an_ended_contract_says_so_and_the_inquiry_form_still_works(
    logged_in_client, member, make_contract, cover
):
    today = timezone.localdate()
    cover(member, make_contract("NXC-2024-001", ends_on=today - datetime.timedelta(days=3)))
    page = logged_in_client.get(reverse("support:new")).content.decode()
    assert "NXC-2024-001" in page and "계약이 종료되었습니다" in page
    response = logged_in_client.post(reverse("support:new"), inquiry_form(member))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.first_response_due_at == add_working_hours(inquiry.created_at, 8)


def coverage_panel(client) -> str:
    page = client.get(reverse("support:list")).content.decode()
    return re.search(r'<section class="coverage".*?</section>', page, re.S).group(0)


def test_on_its_last_local_day_a_contract_is_in_force_and_then_it_has_ended(
    client, member, make_contract, cover
):
    # Past 9 in the evening in Seoul it is already the next day in UTC.
    contract = make_contract(
        "NXC-2026-LAST", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    cover(member, contract)
    with time_machine.travel(seoul(2026, 12, 31, 23, 59), tick=False):
        client.force_login(member)
        last_day = coverage_panel(client)
    assert "0일 남음" in last_day and "종료되었습니다" not in last_day
    with time_machine.travel(seoul(2027, 1, 1, 0, 1), tick=False):
        client.force_login(member)
        next_day = coverage_panel(client)
    assert "계약이 종료되었습니다" in next_day and "남음" not in next_day


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "suspended"},
        {"starts_on": datetime.date(2099, 1, 1), "ends_on": datetime.date(2099, 12, 31)},
    ],
    ids=["suspended", "not-started"],
)
def test_a_suspended_or_future_contract_is_shown_as_not_in_force(
    logged_in_client, member, make_contract, cover, fields
):
    cover(member, make_contract("NXC-2026-SUS", **fields))
    panel = coverage_panel(logged_in_client)
    assert "NXC-2026-SUS" in panel and "현재 효력이 없습니다" in panel
    assert "남음" not in panel and "종료되었습니다" not in panel


def test_an_uncovered_member_is_told_how_to_get_coverage(logged_in_client, settings):
    page = logged_in_client.get(reverse("support:list")).content.decode()
    assert "지원 계약에 연결되어 있지 않습니다" in page
    assert settings.SUPPORT_PHONE in page


@pytest.mark.policy("9 가")
def test_another_members_coverage_is_never_shown(
    logged_in_client, make_member, make_contract, cover
):
    other = make_member(username="other01", company="Other Co")
    cover(other, make_contract("NXC-OTHER-9"))
    assert "NXC-OTHER-9" not in logged_in_client.get(reverse("support:list")).content.decode()


@pytest.mark.parametrize(
    "category, hours", [("defect", 1), ("complaint", 2), ("question", 3), ("request", 4)]
)
def test_the_tier_of_a_contract_in_force_sets_the_first_answer_target(
    logged_in_client, member, make_contract, cover, category, hours
):
    cover(member, make_contract())
    received = seoul(2026, 11, 30, 10)  # a Monday
    with time_machine.travel(received, tick=False):
        logged_in_client.post(reverse("support:new"), inquiry_form(member, category=category))
    inquiry = Inquiry.objects.get()
    assert inquiry.first_response_due_at == received + datetime.timedelta(hours=hours)


def test_a_contract_for_another_product_or_unlinked_sets_no_target(
    logged_in_client, member, make_contract, cover
):
    other = Product.objects.create(name="NEXCORE Other Test", slug="other-test")
    cover(member, make_contract("NXC-BATCH", products=[other]))
    cover(member, make_contract("NXC-GONE"), unlinked_at=timezone.now())
    logged_in_client.post(reverse("support:new"), inquiry_form(member, category="defect"))
    inquiry = Inquiry.objects.get()
    assert inquiry.first_response_due_at == add_working_hours(inquiry.created_at, 4)


@pytest.mark.policy("7")
def test_the_export_lists_the_members_contract_links(reauthed_client, member, make_contract, cover):
    cover(member, make_contract("NXC-2026-042"))
    data = json.loads(reauthed_client.get(reverse("accounts:export")).content)
    (link,) = data["support_contracts"]
    assert link["contract"] == "NXC-2026-042" and link["tier"] == "Premium"
    assert link["unlinked_at"] is None


@pytest.mark.policy("5 나", "7")
def test_my_data_lists_the_link_as_a_contract_record_with_its_deletion_date(
    reauthed_client, member, make_contract, cover
):
    contract = make_contract("NXC-2026-042", ends_on=datetime.date(2027, 3, 31))
    cover(member, contract)
    page = reauthed_client.get(ME).content.decode()
    # Ends 31 March 2027: counting from 1 April, five years end on 31 March 2032.
    assert "2032-04-01" in page
