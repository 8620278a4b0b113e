"""The staff's second factor (policy §9 다; django-otp TOTP): enrolment and its confirmation."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def device_to_enrol(*, user: User) -> TOTPDevice:
    """The device ``user`` is enrolling: an unconfirmed one, made now if there is none.

    Its key is shown until the first valid code confirms it, and never again.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def confirm_device(*, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` when ``token`` is its current code; False leaves it unconfirmed."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True
