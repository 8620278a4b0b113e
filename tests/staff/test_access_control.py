"""Access control of the staff side (안전성 확보조치 기준 제6조): idle staff sessions end, the admin
answers only its networks, and a staff member sees their account's previous login."""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import IdentityVerification, MemberSession, MisuseRecord
from staff import sessions
from staff.roles import PRIVACY_HANDLER
from tests.conftest import STAFF_PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime.datetime(2026, 11, 28, 14, 3, tzinfo=SEOUL)
ROOT = Path(__file__).resolve().parents[2]
INSIDE, OUTSIDE = "192.0.2.10", "198.51.100.7"
OFFICE = (ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8::/32"))

pytestmark = pytest.mark.law("고시 제6조")


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def admin_login(client, *, ip="127.0.0.1", username="handler01"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": STAFF_PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def handler(make_staff, clock):
    return make_staff(username="handler01", role=PRIVACY_HANDLER)


@pytest.fixture
def english(client):
    # The notes are read in English: the Korean catalogue is compiled apart from the code.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- Idle staff sessions end on the server ---------------------------------------------------


def test_a_staff_session_idle_for_29_minutes_goes_on(client, handler, clock):
    assert admin_login(client).status_code == 302
    clock.shift(minutes(29))
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_staff_session_idle_for_31_minutes_is_logged_out_and_told_why(
    client, english, handler, clock
):
    assert admin_login(client).status_code == 302
    clock.shift(minutes(31))
    response = client.get(reverse("admin:accounts_product_changelist"))
    login = reverse("admin:login")
    assert response.status_code == 302
    assert response["Location"] == f"{login}?next=/admin/accounts/product/"
    page = client.get(response["Location"]).content.decode()
    assert "logged out after 30 minutes without activity" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"))["Location"].startswith(login)


def test_each_request_starts_the_idle_clock_again(client, handler, clock):
    admin_login(client)
    for _ in range(4):
        clock.shift(minutes(25))
        assert client.get(reverse("admin:accounts_product_changelist")).status_code == 200


def test_the_idle_time_follows_the_setting(client, handler, clock, settings):
    settings.STAFF_IDLE_MINUTES = 10
    admin_login(client)
    clock.shift(minutes(11))
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_staff_session_is_written_at_most_once_a_minute(client, handler, clock):
    admin_login(client)
    row = MemberSession.objects.get(session_key=client.session.session_key)
    clock.shift(datetime.timedelta(seconds=30))
    client.get(reverse("admin:accounts_product_changelist"))
    assert MemberSession.objects.get(pk=row.pk).expire_date == row.expire_date
    clock.shift(datetime.timedelta(seconds=31))
    client.get(reverse("admin:accounts_product_changelist"))
    assert MemberSession.objects.get(pk=row.pk).expire_date > row.expire_date


def test_a_member_session_is_not_affected_after_31_idle_minutes(client, member, clock):
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": "plum-orchard-1987!"}
    )
    assert response.status_code == 302
    clock.shift(minutes(31))
    assert client.get(reverse("support:list")).status_code == 200
    assert sessions.LAST_ACTIVITY not in client.session


# --- The admin answers only its networks -----------------------------------------------------


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE)
@pytest.mark.policy("9 나")
def test_the_admin_answers_inside_the_allowed_networks(client, handler):
    assert client.get(reverse("admin:login"), REMOTE_ADDR=INSIDE).status_code == 200
    assert client.get(reverse("admin:login"), REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get(reverse("admin:login"), REMOTE_ADDR="::ffff:192.0.2.9").status_code == 200
    assert admin_login(client, ip=INSIDE).status_code == 302
    assert client.get(reverse("admin:index"), REMOTE_ADDR=INSIDE).status_code == 200
    assert not MisuseRecord.objects.exists()


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE)
@pytest.mark.policy("9 나")
def test_outside_the_networks_the_admin_login_is_the_404_page_and_a_misuse_record(client, db):
    response = client.get(reverse("admin:login"), {"next": "/admin/"}, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    record = MisuseRecord.objects.get()
    assert record.kind == MisuseRecord.Kind.ADMIN_OUTSIDE_NETWORK
    assert (record.ip, record.member, record.username_tried) == (OUTSIDE, None, "")
    assert record.reason == "GET /admin/login/"


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE)
@pytest.mark.policy("9 나")
def test_outside_the_networks_a_right_password_does_not_log_in(client, handler):
    assert admin_login(client, ip=OUTSIDE).status_code == 404
    assert "_auth_user_id" not in client.session
    assert not IdentityVerification.objects.filter(member=handler).exists()
    assert MisuseRecord.objects.get().reason == "POST /admin/login/"


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE)
@pytest.mark.policy("9 나")
def test_a_logged_in_session_used_from_outside_gets_404_and_names_the_account(client, handler):
    assert admin_login(client, ip=INSIDE).status_code == 302
    response = client.get(reverse("staff_dashboard"), REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 404
    record = MisuseRecord.objects.get()
    assert (record.member, record.ip, record.reason) == (
        handler,
        OUTSIDE,
        "GET /admin/staff/dashboard/",
    )


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE, PROXY_COUNT=1)
@pytest.mark.policy("9 나")
def test_the_address_is_the_one_the_trusted_proxy_saw(client, db):
    login = reverse("admin:login")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get(login, HTTP_X_FORWARDED_FOR=INSIDE, **proxy).status_code == 200
    # A client that claims an inside address itself is still where the proxy saw it.
    spoofed = f"{INSIDE}, {OUTSIDE}"
    assert client.get(login, HTTP_X_FORWARDED_FOR=spoofed, **proxy).status_code == 404
    assert MisuseRecord.objects.get().ip == OUTSIDE


@override_settings(ADMIN_ALLOWED_NETWORKS=OFFICE)
def test_member_pages_answer_everywhere(client, db):
    assert client.get("/", REMOTE_ADDR=OUTSIDE).status_code == 200
    assert client.get(reverse("accounts:login"), REMOTE_ADDR=OUTSIDE).status_code == 200
    assert not MisuseRecord.objects.exists()


@override_settings(ADMIN_ALLOWED_NETWORKS=())
def test_without_networks_the_admin_answers_everywhere(client, db):
    assert client.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE).status_code == 200
    assert not MisuseRecord.objects.exists()


def _settings_of(**env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STAFF_IDLE_MINUTES, [str(n) for n in s.ADMIN_ALLOWED_NETWORKS])"
    )
    inherited = {k: v for k, v in os.environ.items() if k not in env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "nexcore_support.settings", **env},
    )


def test_the_environment_sets_the_idle_time_and_the_networks():
    result = _settings_of(
        STAFF_IDLE_MINUTES="15", ADMIN_ALLOWED_NETWORKS="10.0.0.0/8, 2001:db8::/32"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "15 ['10.0.0.0/8', '2001:db8::/32']"


@pytest.mark.parametrize("value", ["10.0.0.1/8", "10.0.0.0/33", "office-lan"])
def test_an_invalid_network_stops_the_start_with_a_clear_message(value):
    result = _settings_of(ADMIN_ALLOWED_NETWORKS=f"192.0.2.0/24,{value}")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"ADMIN_ALLOWED_NETWORKS: '{value}' is not a network in CIDR notation" in result.stderr


def test_an_idle_time_under_a_minute_stops_the_start():
    result = _settings_of(STAFF_IDLE_MINUTES="0")
    assert result.returncode != 0
    assert "STAFF_IDLE_MINUTES must be at least 1 minute" in result.stderr


# --- The previous login, shown once after login ----------------------------------------------


def test_the_admin_index_shows_the_previous_login_once(client, english, handler, clock):
    assert admin_login(client, ip="203.0.113.7").status_code == 302
    first = client.get(reverse("admin:index")).content.decode()
    assert "Last access: no earlier login of this account is on record." in first
    client.post(reverse("admin:logout"))
    clock.shift(datetime.timedelta(days=1, hours=2))
    assert admin_login(client, ip="198.51.100.20").status_code == 302
    second = client.get(reverse("admin:index")).content.decode()
    assert "Last access: 2026-11-28 14:03, 203.0.113.7." in second
    assert "Last access" not in client.get(reverse("admin:index")).content.decode()


def test_every_admin_login_is_an_identity_verification_record(client, handler, clock):
    admin_login(client, ip="203.0.113.7")
    record = IdentityVerification.objects.get(member=handler)
    assert (record.kind, record.ip, record.time) == ("login", "203.0.113.7", START)


def test_a_login_on_the_member_site_counts_as_the_previous_login(client, english, handler, clock):
    client.post(
        reverse("accounts:login"),
        {"username": "handler01", "password": STAFF_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post(reverse("accounts:logout"))
    clock.shift(minutes(5))
    admin_login(client, ip="203.0.113.7")
    page = client.get(reverse("admin:index")).content.decode()
    assert "Last access: 2026-11-28 14:03, 203.0.113.9." in page
    assert IdentityVerification.objects.filter(member=handler).count() == 2


def test_the_previous_login_waits_for_the_second_factor(client, english, handler, settings):
    settings.STAFF_REQUIRE_2FA = True
    TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    admin_login(client, ip="203.0.113.7")
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("staff_2fa_verify")
    assert "Last access" not in client.get(reverse("staff_2fa_verify")).content.decode()
    assert sessions.LOGIN_NOTE in client.session
