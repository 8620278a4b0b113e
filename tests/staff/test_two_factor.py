"""The staff's second factor (policy §9 다; django-otp TOTP), required when STAFF_REQUIRE_2FA."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.roles import PRIVACY_HANDLER
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.policy("9 다")


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.STAFF_REQUIRE_2FA = True


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def after_the_throttle():
    # django-otp refuses any code for a moment after a wrong one (throttling).
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=10))


def admin_login(client, username="handler01"):
    response = client.post(
        reverse("admin:login"), {"username": username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302


def test_without_a_device_staff_are_sent_to_enrol_one(client, make_staff):
    make_staff(role=PRIVACY_HANDLER)
    admin_login(client)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response["Location"] == reverse("staff_2fa_setup")
    page = client.get(reverse("staff_2fa_setup"))
    device = TOTPDevice.objects.get()
    assert not device.confirmed
    assert "otpauth://totp/" in page.content.decode()
    assert client.post(reverse("staff_2fa_setup"), {"token": "000000"}).status_code == 200
    with after_the_throttle():
        response = client.post(reverse("staff_2fa_setup"), {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_the_secret_is_not_shown_again_once_confirmed(client, make_staff):
    user = make_staff(role=PRIVACY_HANDLER)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    admin_login(client)
    response = client.get(reverse("staff_2fa_setup"))
    assert response["Location"] == reverse("staff_2fa_verify")
    assert device.config_url not in client.get(reverse("staff_2fa_verify")).content.decode()


def test_every_login_asks_for_a_code(client, make_staff):
    user = make_staff(role=PRIVACY_HANDLER)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    admin_login(client)
    assert client.get(reverse("admin:index"))["Location"] == reverse("staff_2fa_verify")
    assert client.post(reverse("staff_2fa_verify"), {"token": "123456"}).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    with after_the_throttle():
        response = client.post(reverse("staff_2fa_verify"), {"token": code(device)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    other = Client()
    admin_login(other)
    assert other.get(reverse("admin:index"))["Location"] == reverse("staff_2fa_verify")


def test_superusers_need_it_too(client, make_staff):
    make_staff(username="ops01", superuser=True)
    admin_login(client, "ops01")
    assert client.get(reverse("admin:index"))["Location"] == reverse("staff_2fa_setup")


def test_member_pages_are_not_affected(reauthed_client):
    assert reauthed_client.get(reverse("accounts:me")).status_code == 200


def test_the_requirement_can_be_turned_off(client, make_staff, settings):
    settings.STAFF_REQUIRE_2FA = False
    make_staff(role=PRIVACY_HANDLER)
    admin_login(client)
    assert client.get(reverse("admin:index")).status_code == 200
