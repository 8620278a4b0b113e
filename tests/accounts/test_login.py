"""Login behind django-axes (policy §9 나) and the records it leaves (policy §1 나)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import IdentityVerification, MisuseRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("2 가")

LOGIN = reverse("accounts:login")
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def attempt(client, username, password, ip="203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.policy("1 가")
def test_login_records_an_identity_verification(client, member):
    response = attempt(client, member.username, PASSWORD)
    assert response.status_code == 302
    record = IdentityVerification.objects.get(member=member)
    assert record.kind == IdentityVerification.Kind.LOGIN
    assert record.ip == "203.0.113.5"


def test_login_accepts_the_id_in_any_case(client, member):
    assert attempt(client, member.username.upper(), PASSWORD).status_code == 302


def test_wrong_password_gets_a_clear_error(client, member):
    response = attempt(client, member.username, "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


@pytest.mark.policy("9 나")
def test_fifth_failure_locks_the_id_and_address_pair_out(client, member):
    for _ in range(4):
        assert attempt(client, member.username, "wrong-password").status_code == 200
    locked = attempt(client, member.username, "wrong-password")
    assert locked.status_code == 429
    assert attempt(client, member.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_still_allow_the_right_password(client, member):
    for _ in range(4):
        attempt(client, member.username, "wrong-password")
    assert attempt(client, member.username, PASSWORD).status_code == 302


def test_lockout_page_says_when_to_retry_in_both_languages(client, member):
    with time_machine.travel(datetime.datetime(2026, 5, 1, 14, 0, tzinfo=SEOUL), tick=False):
        for _ in range(5):
            response = attempt(client, member.username, "wrong-password")
    assert response.status_code == 429
    assert "2026-05-01 14:30" in response.content.decode()
    assert "다시 시도" in response.content.decode()
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime.datetime(2026, 5, 1, 14, 1, tzinfo=SEOUL), tick=False):
        english = attempt(client, member.username, "wrong-password")
    assert english.status_code == 429
    assert "try again after 2026-05-01 14:31" in english.content.decode()


def test_lockout_is_for_the_pair_not_the_id_everywhere(client, member):
    for _ in range(5):
        attempt(client, member.username, "wrong-password", ip="203.0.113.5")
    assert attempt(client, member.username, PASSWORD, ip="203.0.113.6").status_code == 302


def test_lockout_ends_after_thirty_minutes(client, member):
    start = datetime.datetime(2026, 5, 1, 14, 0, tzinfo=SEOUL)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, member.username, "wrong-password")
    with time_machine.travel(start + datetime.timedelta(minutes=29, seconds=59), tick=False):
        assert attempt(client, member.username, PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=60, seconds=1), tick=False):
        assert attempt(client, member.username, PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, member):
    for _ in range(4):
        attempt(client, member.username, "wrong-password")
    attempt(client, member.username, PASSWORD)
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert attempt(client, member.username, "wrong-password").status_code == 200
    assert attempt(client, member.username, PASSWORD).status_code == 302


@pytest.mark.policy("5 가")
def test_lockout_writes_a_misuse_record(client, member):
    for _ in range(5):
        attempt(client, "Member01", "wrong-password")
    record = MisuseRecord.objects.get()
    assert record.kind == MisuseRecord.Kind.LOCKOUT
    assert record.username_tried == "member01"
    assert record.member == member
    assert record.ip == "203.0.113.5"


def test_lockout_on_an_unknown_id_is_recorded_without_a_member(client, db):
    for _ in range(5):
        attempt(client, "nobody", "wrong-password")
    record = MisuseRecord.objects.get()
    assert (record.username_tried, record.member) == ("nobody", None)


def test_logout_is_post_only(logged_in_client):
    assert logged_in_client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in logged_in_client.session
    assert logged_in_client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in logged_in_client.session


@pytest.mark.policy("9 나")
def test_one_address_failing_across_many_ids_is_locked_out(client, member, settings):
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        # Four failures per ID: no ID-and-address pair reaches its own limit of five.
        attempt(client, f"guess{n // 4:03d}", "wrong-password", ip="203.0.113.77")
    # The lockout is a misuse record (policy §1 나, kept one year) as it happens.
    lockout = MisuseRecord.objects.get(ip="203.0.113.77")
    assert lockout.kind == MisuseRecord.Kind.LOCKOUT
    response = attempt(client, member.username, PASSWORD, ip="203.0.113.77")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert attempt(client, member.username, PASSWORD, ip="203.0.113.78").status_code == 302


def test_fewer_failures_than_the_address_limit_do_not_lock_the_address(client, member, settings):
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(client, f"guess{n // 4:03d}", "wrong-password", ip="203.0.113.79")
    assert attempt(client, member.username, PASSWORD, ip="203.0.113.79").status_code == 302


@pytest.mark.policy("9 나")
def test_a_password_longer_than_128_characters_is_refused_before_hashing(client, member):
    response = attempt(client, member.username, "x" * 100_000)
    assert response.status_code == 200
    assert response.context["form"].has_error("password", code="max_length")
    assert not MisuseRecord.objects.exists()
