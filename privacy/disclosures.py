"""The register of provisions to third parties (policy §3) and the notices of corrections (§7).

Policy §3: data go to a third party only with the member's consent or when a statute requires
it on a lawful request. Policy §7: "제3자에게 이미 제공한 경우에는 정정 처리결과를 제3자에게 지체
없이 통지" — once a member's data are corrected, every earlier recipient must be told.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from privacy.models import CorrectionNotice, DisclosedMember, Disclosure


@transaction.atomic
def record_disclosure(
    *,
    recipient: str,
    basis: str,
    items: str,
    members: Iterable,
    statute: str = "",
    withhold_from_member: bool = False,
    disclosed_at: datetime.datetime | None = None,
    recorded_by=None,
) -> Disclosure:
    """Register a provision of ``members``' data to ``recipient`` on ``basis``."""
    disclosed_at = disclosed_at or timezone.now()
    disclosure = Disclosure.objects.create(
        recipient=recipient,
        basis=basis,
        statute=statute,
        items=items,
        disclosed_at=disclosed_at,
        withhold_from_member=withhold_from_member,
        recorded_by=recorded_by,
    )
    set_disclosed_members(disclosure=disclosure, members=members)
    return disclosure


def set_disclosed_members(*, disclosure: Disclosure, members: Iterable) -> None:
    """Make ``members`` exactly the members the disclosure names."""
    pks = {member.pk for member in members}
    disclosure.entries.exclude(member_id__in=pks).delete()
    existing = set(disclosure.entries.values_list("member_id", flat=True))
    DisclosedMember.objects.bulk_create(
        DisclosedMember(disclosure=disclosure, member_id=pk, time=disclosure.disclosed_at)
        for pk in sorted(pks - existing)
    )


def note_correction(
    *, member, fields: Iterable[str], now: datetime.datetime | None = None
) -> list[CorrectionNotice]:
    """After ``member``'s data were corrected, open a notice for every earlier recipient.

    Called in the transaction of the correction itself. Only disclosures made before the
    correction count: a later recipient received the corrected data.
    """
    fields = sorted(fields)
    if not fields:
        return []
    now = now or timezone.now()
    entries = DisclosedMember.objects.filter(member=member, time__lte=now)
    return CorrectionNotice.objects.bulk_create(
        CorrectionNotice(entry=entry, corrected_at=now, fields=", ".join(fields))
        for entry in entries
    )


@transaction.atomic
def record_notification(
    *, notice: CorrectionNotice, notified_by, now: datetime.datetime | None = None
) -> CorrectionNotice:
    """Record that the recipient was told of the correction."""
    notice.notified_at = now or timezone.now()
    notice.notified_by = notified_by
    notice.save(update_fields=["notified_at", "notified_by"])
    return notice


def pending_notices() -> QuerySet[CorrectionNotice]:
    """The recipients still to be told of a correction, oldest correction first."""
    return (
        CorrectionNotice.objects.filter(notified_at__isnull=True)
        .select_related("entry__disclosure", "entry__member")
        .order_by("corrected_at", "pk")
    )


def member_disclosures(member) -> QuerySet[Disclosure]:
    """The disclosures the member may be told of (policy §3), newest first."""
    return Disclosure.objects.filter(entries__member=member, withhold_from_member=False).order_by(
        "-disclosed_at", "-pk"
    )
