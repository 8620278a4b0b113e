"""Withdrawal (회원탈퇴, policy §7): closed at once, everywhere, for good."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import MemberSession, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("7")

WITHDRAW = reverse("accounts:withdraw")


@pytest.mark.policy("7")
def test_withdrawal_closes_the_account_at_once(reauthed_client, member):
    response = reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:withdrawn")
    member.refresh_from_db()
    assert not member.is_active
    assert member.closed_at is not None
    assert not member.has_usable_password()
    assert member.password.startswith("!")
    assert "_auth_user_id" not in reauthed_client.session


@pytest.mark.policy("7")
def test_withdrawal_ends_every_session_everywhere(reauthed_client, member):
    devices = [Client(), Client()]
    for device in devices:
        device.post(reverse("accounts:login"), {"username": member.username, "password": PASSWORD})
    assert MemberSession.objects.filter(member=member).count() == 3
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    assert not MemberSession.objects.filter(member=member).exists()
    for device in devices:
        assert device.get(reverse("accounts:me"))["Location"].startswith(reverse("accounts:login"))


def test_a_withdrawn_member_cannot_log_in(reauthed_client, member, client):
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_withdrawn_id_cannot_sign_up_again(reauthed_client, member, client):
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": member.username,
            "password1": "lantern-quiet-7731",
            "password2": "lantern-quiet-7731",
            "company": "X",
            "project": "Y",
            "product": "nexcore-framework",
            "agree_policy": "on",
            "adult": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username=member.username).count() == 1


@pytest.mark.parametrize(
    "data", [{"password": PASSWORD}, {"password": "wrong", "confirm": "on"}, {}]
)
def test_withdrawal_needs_the_password_and_the_confirmation(reauthed_client, member, data):
    response = reauthed_client.post(WITHDRAW, data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.is_active and member.closed_at is None and member.check_password(PASSWORD)
