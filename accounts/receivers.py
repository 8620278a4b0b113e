"""Receivers that turn django-axes events into the portal's own records."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.dispatch import receiver

from accounts import services


@receiver(user_locked_out, dispatch_uid="accounts.record_lockout")
def record_lockout(sender, request, username, ip_address, **kwargs):
    services.record_lockout(username=username or "", ip=ip_address)
