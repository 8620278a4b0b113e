"""After logging in, staff start where their role works: an agent at the queue, a handler at the
member list, the officer at the dashboard, a contract manager at the contracts."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.policy("9")

LANDS_ON = {
    SUPPORT_AGENT: "admin:support_inquiry_changelist",
    PRIVACY_HANDLER: "admin:accounts_user_changelist",
    PRIVACY_OFFICER: "staff_dashboard",
    CONTRACT_MANAGER: "admin:selfservice_contract_changelist",
}


def log_in(client, username, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": STAFF_PASSWORD, **extra}
    )


@pytest.mark.parametrize("role", sorted(LANDS_ON))
def test_a_staff_member_with_one_role_lands_on_what_the_role_uses_most(client, make_staff, role):
    make_staff(username="staff01", role=role)
    response = log_in(client, "staff01")
    assert response.status_code == 302
    assert response["Location"] == reverse(LANDS_ON[role])
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", sorted(LANDS_ON))
def test_the_login_forms_own_next_to_the_first_page_is_no_choice(client, make_staff, role):
    make_staff(username="staff01", role=role)
    response = log_in(client, "staff01", next=reverse("admin:index"))
    assert response["Location"] == reverse(LANDS_ON[role])


def test_an_explicit_next_wins(client, make_staff):
    make_staff(username="agent01", role=SUPPORT_AGENT)
    page = reverse("admin:privacy_notice_changelist")
    assert log_in(client, "agent01", next=page)["Location"] == page


def test_a_next_off_the_site_is_ignored(client, make_staff):
    make_staff(username="agent01", role=SUPPORT_AGENT)
    response = log_in(client, "agent01", next="https://evil.example/admin/")
    assert response["Location"] == reverse(LANDS_ON[SUPPORT_AGENT])


def test_superusers_and_staff_with_several_roles_land_on_the_first_page(client, make_staff):
    make_staff(username="ops01", superuser=True)
    assert log_in(client, "ops01")["Location"] == reverse("admin:index")
    client.logout()
    both = make_staff(username="both01", role=SUPPORT_AGENT)
    both.groups.add(Group.objects.get(name=CONTRACT_MANAGER))
    assert log_in(client, "both01")["Location"] == reverse("admin:index")


def test_the_first_page_itself_stays_open_after_login(client, make_staff):
    make_staff(username="agent01", role=SUPPORT_AGENT)
    log_in(client, "agent01")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_failed_login_shows_the_form_again(client, make_staff):
    make_staff(username="agent01", role=SUPPORT_AGENT)
    response = client.post(reverse("admin:login"), {"username": "agent01", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


# --- With the second factor (STAFF_REQUIRE_2FA) -----------------------------------------------


@pytest.fixture
def agent_with_device(settings, make_staff):
    settings.STAFF_REQUIRE_2FA = True
    agent = make_staff(username="agent01", role=SUPPORT_AGENT)
    return TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def verify(client, device):
    # A code is accepted once: each verification is at a later step of the clock.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        return client.post(reverse("staff_2fa_verify"), {"token": code(device)})


def test_after_the_second_factor_the_role_lands_on_its_page(client, agent_with_device):
    landing = log_in(client, "agent01")["Location"]
    assert landing == reverse(LANDS_ON[SUPPORT_AGENT])
    assert client.get(landing)["Location"] == reverse("staff_2fa_verify")
    assert verify(client, agent_with_device)["Location"] == landing


def test_the_second_factor_keeps_the_page_the_login_asked_for(client, agent_with_device):
    page = reverse("admin:privacy_notice_changelist")
    assert log_in(client, "agent01", next=page)["Location"] == page
    assert client.get(page)["Location"] == reverse("staff_2fa_verify")
    assert verify(client, agent_with_device)["Location"] == page


def test_the_second_factor_after_opening_the_first_page_lands_on_the_role(
    client, agent_with_device
):
    log_in(client, "agent01")
    assert client.get(reverse("admin:index"))["Location"] == reverse("staff_2fa_verify")
    assert verify(client, agent_with_device)["Location"] == reverse(LANDS_ON[SUPPORT_AGENT])
