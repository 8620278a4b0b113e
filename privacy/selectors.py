"""Reads of the policy shared by pages, forms and services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from privacy.models import PolicyVersion


def policy_in_force(*, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """Return the version in force at ``now``: the latest whose effective time has come."""
    now = now or timezone.now()
    return PolicyVersion.objects.filter(effective_at__lte=now).order_by("-effective_at").first()
