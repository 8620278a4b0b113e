"""My data: view, correct, export (policy §7 열람·정정) and the records it shows (§1 나)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import IdentityVerification, MisuseRecord, Product, User, VisitRecord
from privacy.services import record_request, resolve_request
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("7")

ME = reverse("accounts:me")
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


@pytest.mark.policy("7")
def test_my_data_shows_every_item_held(reauthed_client, member, policy):
    page = reauthed_client.get(ME).content.decode()
    for value in (member.username, member.company, member.project, member.product.name):
        assert value in page
    assert policy.label in page
    assert "로그인" in page and "제출" in page  # the visit record of the login request
    assert "비밀번호 재확인" in page


def test_my_data_shows_when_each_category_is_deleted(reauthed_client, member):
    first_visit = VisitRecord.objects.filter(member=member).order_by("time").first()
    page = reauthed_client.get(ME)
    schedule = {entry.category.key: entry.next_deletion for entry in page.context["schedule"]}
    assert set(schedule) == {
        "visit", "identity", "misuse", "complaint", "contract", "payment", "staff_access",
        "privilege_change", "account",
    }  # fmt: skip
    local_day = first_visit.time.astimezone(SEOUL).date()
    assert schedule["visit"].date() > local_day + datetime.timedelta(days=88)
    assert schedule["misuse"] is None and schedule["contract"] is None


def test_my_data_never_shows_another_members_records(reauthed_client, make_member):
    other = make_member(username="other01", company="Other Co")
    VisitRecord.objects.create(
        member=other, ip="198.51.100.77", method="GET", path="/secret-other/", status=200
    )
    page = reauthed_client.get(ME).content.decode()
    assert "198.51.100.77" not in page and "/secret-other/" not in page and "Other Co" not in page


def local_time(moment: datetime.datetime) -> str:
    """A time as the record tables show it."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def visits(member, count, *, start):
    """``count`` visit records of ``member``, a minute apart after ``start``: /p1/, /p2/, …"""
    VisitRecord.objects.bulk_create(
        VisitRecord(
            member=member,
            time=start + datetime.timedelta(minutes=n),
            method="GET",
            path=f"/p{n}/",
            status=200,
        )
        for n in range(1, count + 1)
    )


def identity_verifications(member, count):
    IdentityVerification.objects.bulk_create(
        IdentityVerification(member=member, ip="192.0.2.1", kind=IdentityVerification.Kind.LOGIN)
        for _ in range(count)
    )


def misuse_records(member, count):
    MisuseRecord.objects.bulk_create(
        MisuseRecord(member=member, ip="192.0.2.2", kind=MisuseRecord.Kind.LOCKOUT)
        for _ in range(count)
    )


def table(response, key):
    (found,) = [table for table in response.context["record_tables"] if table.key == key]
    return found


def count_queries(client, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME, data).status_code == 200
    return len(queries)


def test_records_are_paginated_fifty_at_a_time_newest_first(reauthed_client, member):
    visits(member, 60, start=datetime.datetime(2026, 1, 1, tzinfo=SEOUL))
    page = table(reauthed_client.get(ME), "visit-visitrecord").page
    assert page.paginator.count >= 60 and len(page.object_list) == 50
    times = [visit.time for visit in page.object_list]
    assert times == sorted(times, reverse=True)
    last = reauthed_client.get(ME, {"visit-visitrecord": page.paginator.num_pages})
    assert "/p1/" in [visit.path for visit in table(last, "visit-visitrecord").page.object_list]


@pytest.mark.policy("7")
def test_the_second_page_shows_records_51_to_100(reauthed_client, member):
    # Newer than the visits of the login, so that the n-th newest record is /p(131 - n)/.
    visits(member, 130, start=timezone.now() + datetime.timedelta(days=1))
    response = reauthed_client.get(ME, {"visit-visitrecord": "2"})
    paths = [visit.path for visit in table(response, "visit-visitrecord").page.object_list]
    assert paths == [f"/p{n}/" for n in range(80, 30, -1)]
    html = response.content.decode()
    shown = {visit.path: local_time(visit.time) for visit in VisitRecord.objects.all()}
    assert shown["/p80/"] in html and shown["/p31/"] in html
    assert shown["/p81/"] not in html and shown["/p30/"] not in html


def test_page_links_keep_the_other_tables_pages(reauthed_client, member):
    visits(member, 120, start=timezone.now() + datetime.timedelta(days=1))
    identity_verifications(member, 60)
    response = reauthed_client.get(
        ME, {"visit-visitrecord": "2", "identity-identityverification": "2"}
    )
    html = response.content.decode()
    assert table(response, "visit-visitrecord").keep == "identity-identityverification=2"
    older_visits = "?identity-identityverification=2&amp;visit-visitrecord=3#visit-visitrecord"
    newer_verifications = "?visit-visitrecord=2&amp;identity-identityverification=1#identity"
    assert f'href="{older_visits}"' in html and f'href="{newer_verifications}' in html


@pytest.mark.parametrize(
    "wanted", ["abc", "", "0", "-1", "1.5", "1e3", "\x00", "%00", "9999", "9" * 40]
)
def test_a_bad_page_number_shows_the_first_or_the_last_page(reauthed_client, member, wanted):
    visits(member, 120, start=datetime.datetime(2026, 1, 1, tzinfo=SEOUL))
    response = reauthed_client.get(ME, {"visit-visitrecord": wanted, "misuse-misuserecord": wanted})
    assert response.status_code == 200
    page = table(response, "visit-visitrecord").page
    assert page.number in (1, page.paginator.num_pages)
    assert table(response, "misuse-misuserecord").page.number == 1


@pytest.mark.policy("7")
def test_my_data_takes_the_same_few_queries_with_one_record_or_a_hundred_and_twenty(
    reauthed_client, member
):
    # Every member has visits and identity verifications (the login): a page of each is read.
    few = count_queries(reauthed_client)
    visits(member, 120, start=datetime.datetime(2026, 1, 1, tzinfo=SEOUL))
    identity_verifications(member, 120)
    assert count_queries(reauthed_client) == few <= 12
    assert count_queries(reauthed_client, {"visit-visitrecord": "3"}) == few


def test_the_members_privacy_requests_are_read_in_one_query_however_many(reauthed_client, member):
    record_request(member=member, kind="access", channel="letter")
    one = count_queries(reauthed_client)
    for kind in ("correction", "deletion", "suspension", "withdrawal"):
        resolve_request(
            request=record_request(member=member, kind=kind, channel="web"),
            resolution="Refused: a dispute.",
            refused=True,
        )
    assert count_queries(reauthed_client) == one


def test_lists_the_member_has_nothing_in_are_not_read(reauthed_client, member):
    # The count query has found no request, no disclosure; the member's product came with the
    # member.
    with CaptureQueriesContext(connection) as queries:
        reauthed_client.get(ME)
    tables = " ".join(query["sql"].split("WHERE")[0] for query in queries)
    for table in ("privacy_privacyrequest", "privacy_disclosure", "accounts_product"):
        assert f'FROM "{table}"' not in tables
    assert member.product.name in reauthed_client.get(ME).content.decode()


def test_each_table_with_records_adds_one_query_however_many_records(reauthed_client, member):
    without = count_queries(reauthed_client)
    misuse_records(member, 1)
    one = count_queries(reauthed_client)
    misuse_records(member, 119)
    assert count_queries(reauthed_client) == one == without + 1


def test_misuse_records_against_the_member_are_shown(reauthed_client, member):
    MisuseRecord.objects.create(
        member=member,
        username_tried=member.username,
        ip="192.0.2.99",
        kind=MisuseRecord.Kind.LOCKOUT,
    )
    assert "192.0.2.99" in reauthed_client.get(ME).content.decode()


@pytest.mark.policy("7")
def test_export_is_a_json_attachment_of_the_same_data(reauthed_client, member, policy):
    response = reauthed_client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert member.username not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == member.username
    assert data["profile"]["company"] == member.company
    assert data["consents"][0]["policy_version"] == policy.label
    assert {record["kind"] for record in data["identity_verifications"]} >= {"login", "reauth"}
    assert any(visit["path"] == reverse("accounts:login") for visit in data["visit_records"])
    assert "password" not in json.dumps(data["profile"])
    assert [entry["category"] for entry in data["retention"]] == [
        "visit",
        "identity",
        "misuse",
        "complaint",
        "contract",
        "payment",
        "staff_access",
        "privilege_change",
        "account",
    ]


@pytest.mark.policy("7")
def test_member_corrects_company_project_and_product(reauthed_client, member):
    Product.objects.create(name="NEXCORE Batch 2", slug="batch-2")
    response = reauthed_client.post(
        reverse("accounts:me_edit"),
        {"company": "New Co", "project": "Mercury", "product": "batch-2"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.company, member.project, member.product.slug) == ("New Co", "Mercury", "batch-2")


@pytest.mark.parametrize(
    "data",
    [
        {"company": "", "project": "P", "product": "nexcore-framework"},
        {"company": "C", "project": "P", "product": "forged"},
        {"company": "C" * 101, "project": "P", "product": "nexcore-framework"},
        {"company": "C\x00", "project": "P", "product": "nexcore-framework"},
        {"company": "C", "project": "P"},
    ],
)
def test_bad_corrections_change_nothing(reauthed_client, member, data):
    response = reauthed_client.post(reverse("accounts:me_edit"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    fresh = User.objects.get(pk=member.pk)
    assert (fresh.company, fresh.project, fresh.product_id) == (
        member.company,
        member.project,
        member.product_id,
    )


def test_correction_cannot_touch_other_fields(reauthed_client, member):
    reauthed_client.post(
        reverse("accounts:me_edit"),
        {
            "company": "C",
            "project": "P",
            "product": "nexcore-framework",
            "username": "hacker",
            "is_staff": "on",
        },
    )
    member.refresh_from_db()
    assert member.username == "member01" and not member.is_staff


def test_password_change_keeps_this_session_and_ends_the_others(logged_in_client, member):
    other_device = Client()
    other_device.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    new_password = "tangerine-harbour-2041"
    response = logged_in_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert logged_in_client.get(ME).status_code == 200
    assert other_device.get(ME)["Location"].startswith(reverse("accounts:login"))
    assert member.sessions.count() == 1
    assert IdentityVerification.objects.filter(
        member=member, kind=IdentityVerification.Kind.PASSWORD_CHANGE
    ).exists()


def test_password_change_with_wrong_old_password_changes_nothing(logged_in_client, member):
    response = logged_in_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "tangerine-harbour-2041",
            "new_password2": "tangerine-harbour-2041",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_my_data_pages_are_not_cached(reauthed_client):
    assert "no-store" in reauthed_client.get(ME)["Cache-Control"]
    assert "no-store" in reauthed_client.get(reverse("accounts:export"))["Cache-Control"]


def test_visit_before_the_reauth_window_is_dated_by_the_registry(reauthed_client, member):
    with time_machine.travel(datetime.datetime(2026, 1, 31, 10, 0, tzinfo=SEOUL), tick=False):
        VisitRecord.objects.create(member=member, method="GET", path="/old/", status=200)
    page = reauthed_client.get(ME, {"visits": 1})
    entry = next(e for e in page.context["schedule"] if e.category.key == "visit")
    assert entry.next_deletion == datetime.datetime(2026, 5, 1, tzinfo=SEOUL)


def test_edit_form_starts_from_the_stored_values(reauthed_client, member):
    html = reauthed_client.get(reverse("accounts:me_edit")).content.decode()
    assert f'value="{member.company}"' in html
    assert f'<option value="{member.product.slug}" selected>' in html


def test_a_retired_product_stays_selectable_for_its_members(reauthed_client, member):
    Product.objects.filter(pk=member.product_id).update(active=False)
    response = reauthed_client.post(
        reverse("accounts:me_edit"),
        {"company": "C", "project": "P", "product": member.product.slug},
    )
    assert response.status_code == 302


@pytest.mark.policy("9 가")
def test_a_new_password_longer_than_128_characters_is_refused(logged_in_client, member):
    password = "Long-passphrase-" * 9
    response = logged_in_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2", code="password_too_long")
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


@pytest.mark.policy("9")
def test_the_password_row_says_nobody_can_read_it_without_jargon(reauthed_client):
    html = reauthed_client.get(ME).content.decode()
    row = html.split("<dt>비밀번호</dt>")[1].split("</dd>")[0]
    assert "직원을 포함해 누구도" in row
    for jargon in ("Argon2", "해시", "hash"):
        assert jargon not in html


@pytest.mark.policy("7")
def test_withdrawal_is_a_section_of_its_own_apart_from_the_routine_buttons(reauthed_client):
    html = reauthed_client.get(ME).content.decode()
    withdraw = f'href="{reverse("accounts:withdraw")}"'
    routine = html.split('<p class="actions">')[1].split("</p>")[0]
    assert reverse("accounts:me_edit") in routine and withdraw not in routine
    section = html.split('<section class="withdrawal"')[1].split("</section>")[0]
    assert "<h2" in section and "회원 탈퇴" in section and withdraw in section
    assert "다시 로그인할 수 없으며" in section
    # The last section of the page: nothing routine follows it.
    assert "<table" not in html.split('<section class="withdrawal"')[1]


@pytest.mark.policy("7")
def test_my_data_links_the_three_downloads(reauthed_client):
    html = reauthed_client.get(ME).content.decode()
    for name in ("export_csv", "export", "print"):
        assert f'href="{reverse(f"accounts:{name}")}"' in html


def test_every_table_of_my_data_scrolls_in_a_focusable_labelled_region(reauthed_client):
    html = reauthed_client.get(ME).content.decode()
    tables = html.count("<table")
    assert tables >= 6
    regions = re.findall(
        r'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="([^"]+)">\s*<table',
        html,
    )
    assert len(regions) == tables
    for label in regions:
        assert f'id="{label}"' in html
