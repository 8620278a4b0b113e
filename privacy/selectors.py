"""Reads of the policy shared by pages, forms, services and commands."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from privacy.models import Notice, PolicyVersion


def live_versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(withdrawn_at__isnull=True)


def policy_in_force(*, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """Return the version in force at ``now``: the latest effective one not withdrawn."""
    now = now or timezone.now()
    return live_versions().filter(effective_at__lte=now).order_by("-effective_at").first()


def upcoming_versions(*, now: datetime.datetime | None = None) -> QuerySet[PolicyVersion]:
    """Announced versions that will take effect later, soonest first."""
    now = now or timezone.now()
    return live_versions().filter(effective_at__gt=now).order_by("effective_at")


def latest_announced_version() -> PolicyVersion | None:
    return live_versions().order_by("-effective_at").first()


def version_before(version: PolicyVersion) -> PolicyVersion | None:
    """The live version that precedes ``version``: what a reader compares it with."""
    return (
        live_versions()
        .filter(effective_at__lt=version.effective_at)
        .order_by("-effective_at")
        .first()
    )


def published_notices(*, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices visible now: pinned first, then newest first."""
    now = now or timezone.now()
    return Notice.objects.filter(published_at__lte=now).order_by("-pinned", "-published_at", "-id")


def version_to_acknowledge(member, *, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """The version in force that ``member`` has neither agreed to nor acknowledged, if any."""
    if not getattr(member, "is_authenticated", False) or member.is_staff:
        return None
    version = policy_in_force(now=now)
    if version is None or version.consents.filter(member=member).exists():
        return None
    return version


def last_agreed_version(member) -> PolicyVersion | None:
    """The version of the member's most recent consent or acknowledgement."""
    consent = member.consents.select_related("policy_version").order_by("-given_at").first()
    return consent.policy_version if consent else None
