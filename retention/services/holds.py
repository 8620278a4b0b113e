"""Legal holds: a member's records kept past their due dates (litigation, investigation)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from retention.models import LegalHold


def place_hold(*, member_key: str, reason: str, review_on: datetime.date, placed_by) -> LegalHold:
    """Keep the member's records past their due dates until the hold is lifted."""
    return LegalHold.objects.create(
        member_key=member_key, reason=reason, review_on=review_on, placed_by=placed_by
    )


def revise_hold(*, hold: LegalHold, reason: str, review_on: datetime.date) -> LegalHold:
    """Restate why the hold is kept and when it is next reviewed; who placed it, and when, stay."""
    hold.reason = reason
    hold.review_on = review_on
    hold.save(update_fields=["reason", "review_on"])
    return hold


def lift_hold(*, hold: LegalHold, lifted_by, now: datetime.datetime | None = None) -> LegalHold:
    """End the hold; the next purge destroys whatever fell due meanwhile."""
    hold.lifted_at = now or timezone.now()
    hold.lifted_by = lifted_by
    hold.save(update_fields=["lifted_at", "lifted_by"])
    return hold
