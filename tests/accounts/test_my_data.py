"""My data: view, correct, export (policy §7 열람·정정) and the records it shows (§1 나)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import IdentityVerification, MisuseRecord, Product, User, VisitRecord
from tests.conftest import PASSWORD

ME = reverse("accounts:me")
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


@pytest.mark.policy("7")
def test_my_data_shows_every_item_held(reauthed_client, member, policy):
    page = reauthed_client.get(ME).content.decode()
    for value in (member.username, member.company, member.project, member.product.name):
        assert value in page
    assert policy.label in page
    assert "/accounts/login/" in page  # the visit record of the login request
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


def test_records_are_paginated_newest_first(reauthed_client, member):
    base = datetime.datetime(2026, 1, 1, tzinfo=SEOUL)
    VisitRecord.objects.bulk_create(
        VisitRecord(
            member=member,
            time=base + datetime.timedelta(minutes=n),
            method="GET",
            path=f"/p{n}/",
            status=200,
        )
        for n in range(45)
    )
    first = reauthed_client.get(ME)
    (visits,) = [
        table.page for table in first.context["record_tables"] if table.key == "visit-visitrecord"
    ]
    assert visits.paginator.count >= 45 and len(visits.object_list) == 20
    times = [visit.time for visit in visits.object_list]
    assert times == sorted(times, reverse=True)
    last = reauthed_client.get(ME, {"visit-visitrecord": visits.paginator.num_pages})
    assert "/p0/" in last.content.decode()


def test_a_page_number_out_of_range_is_not_an_error(reauthed_client):
    assert (
        reauthed_client.get(
            ME, {"visit-visitrecord": "9999", "misuse-misuserecord": "abc"}
        ).status_code
        == 200
    )


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


@pytest.mark.policy("9")
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
