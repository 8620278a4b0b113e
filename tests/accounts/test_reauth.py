"""Re-authentication before a member's data (policy §7 본인 확인 절차)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import IdentityVerification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("7")

REAUTH = reverse("accounts:reauth")
PROTECTED = [
    "accounts:me", "accounts:me_edit", "accounts:export", "accounts:withdraw",
    "accounts:new_request",
]  # fmt: skip
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


@pytest.mark.parametrize("name", PROTECTED)
def test_anonymous_visitors_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(name)}"


@pytest.mark.policy("7")
@pytest.mark.parametrize("name", PROTECTED)
def test_a_logged_in_member_must_confirm_the_password_first(logged_in_client, name):
    response = logged_in_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{REAUTH}?next={reverse(name).replace('/', '%2F')}"


def test_confirmation_leads_back_to_the_page_asked_for(logged_in_client, member):
    response = logged_in_client.post(
        REAUTH, {"password": PASSWORD, "next": reverse("accounts:export")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:export")
    assert logged_in_client.get(reverse("accounts:export")).status_code == 200
    assert IdentityVerification.objects.filter(
        member=member, kind=IdentityVerification.Kind.REAUTH
    ).exists()


def test_next_pointing_elsewhere_is_ignored(logged_in_client):
    response = logged_in_client.post(
        REAUTH, {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:me")


def test_wrong_password_is_refused(logged_in_client):
    response = logged_in_client.post(REAUTH, {"password": "not-my-password"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert logged_in_client.get(reverse("accounts:me")).status_code == 302


def test_wrong_passwords_count_toward_the_lockout(logged_in_client):
    for _ in range(4):
        assert logged_in_client.post(REAUTH, {"password": "guess"}).status_code == 200
    assert logged_in_client.post(REAUTH, {"password": "guess"}).status_code == 429
    assert logged_in_client.post(REAUTH, {"password": PASSWORD}).status_code == 429


@pytest.mark.policy("7")
def test_confirmation_lasts_exactly_reauth_minutes(logged_in_client, settings):
    assert settings.REAUTH_MINUTES == 10
    start = datetime.datetime(2026, 7, 1, 23, 55, tzinfo=SEOUL)
    with time_machine.travel(start, tick=False):
        logged_in_client.post(REAUTH, {"password": PASSWORD})
    with time_machine.travel(start + datetime.timedelta(minutes=9, seconds=59), tick=False):
        assert logged_in_client.get(reverse("accounts:me")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert logged_in_client.get(reverse("accounts:me")).status_code == 302


def test_reauth_minutes_comes_from_the_setting(logged_in_client, settings):
    settings.REAUTH_MINUTES = 1
    start = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=SEOUL)
    with time_machine.travel(start, tick=False):
        logged_in_client.post(REAUTH, {"password": PASSWORD})
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert logged_in_client.get(reverse("accounts:me")).status_code == 302


def test_logging_in_again_does_not_count_as_confirmation(client, member):
    client.post(reverse("accounts:login"), {"username": member.username, "password": PASSWORD})
    assert client.get(reverse("accounts:me")).status_code == 302
