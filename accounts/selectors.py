"""Reads of a member's data, shared by the my-data page and the export (policy §7 열람)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Min, QuerySet
from django.utils import timezone

from accounts.models import IdentityVerification, MisuseRecord, User, VisitRecord
from privacy.disclosures import member_disclosures
from privacy.models import Consent
from retention.registry import CATEGORIES, MEMBER_FK, Category, due_date


@dataclass(frozen=True)
class ScheduledDeletion:
    category: Category
    next_deletion: datetime.datetime | None


def member_visits(member: User) -> QuerySet[VisitRecord]:
    return VisitRecord.objects.filter(member=member)


def member_identity_verifications(member: User) -> QuerySet[IdentityVerification]:
    return IdentityVerification.objects.filter(member=member)


def member_misuse_records(member: User) -> QuerySet[MisuseRecord]:
    return MisuseRecord.objects.filter(member=member)


def member_consents(member: User) -> QuerySet[Consent]:
    return Consent.objects.filter(member=member).select_related("policy_version")


def deletion_schedule(member: User) -> list[ScheduledDeletion]:
    """Per category, when the member's oldest record of it will be destroyed.

    Reads the retention registry: every category with a table in the primary database that
    names members is listed. Contract records (sign-up, consents) have no date while the
    account is open: their five-year clock starts at withdrawal.
    """
    schedule = []
    for entry in CATEGORIES:
        sources = [
            source
            for source in entry.sources
            if source.database == "default" and any(kind == MEMBER_FK for _, kind in source.owners)
        ]
        if not sources:
            continue
        oldest = [
            source.rows()
            .filter(source.owned_by(pks=[member.pk], usernames=[member.username]))
            .aggregate(oldest=Min(source.clock))["oldest"]
            for source in sources
        ]
        first = min((moment for moment in oldest if moment is not None), default=None)
        schedule.append(ScheduledDeletion(entry, first and due_date(entry, first)))
    return schedule


def _local(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def member_data(member: User) -> dict:
    """Everything held about ``member``, as plain JSON-ready data (the export's content)."""
    return {
        "profile": {
            "username": member.username,
            "company": member.company,
            "project": member.project,
            "product": member.product.name if member.product else None,
            "date_joined": _local(member.date_joined),
            "last_login": _local(member.last_login),
        },
        "consents": [
            {
                "policy_version": consent.policy_version.label,
                "kind": consent.kind,
                "given_at": _local(consent.given_at),
                "ip": consent.ip,
            }
            for consent in member_consents(member)
        ],
        "visit_records": [
            {
                "time": _local(visit.time),
                "ip": visit.ip,
                "method": visit.method,
                "path": visit.path,
                "status": visit.status,
            }
            for visit in member_visits(member).iterator()
        ],
        "identity_verifications": [
            {"time": _local(record.time), "ip": record.ip, "kind": record.kind}
            for record in member_identity_verifications(member).iterator()
        ],
        # Policy §3: provisions to third parties, unless the law forbids telling.
        "disclosures": [
            {
                "recipient": disclosure.recipient,
                "basis": disclosure.basis,
                "statute": disclosure.statute,
                "items": disclosure.items,
                "disclosed_at": _local(disclosure.disclosed_at),
            }
            for disclosure in member_disclosures(member)
        ],
        "misuse_records": [
            {
                "time": _local(record.time),
                "ip": record.ip,
                "kind": record.kind,
                "username_tried": record.username_tried,
            }
            for record in member_misuse_records(member).iterator()
        ],
        "retention": [
            {
                "category": entry.category.key,
                "period": entry.category.period,
                "next_deletion": _local(entry.next_deletion),
            }
            for entry in deletion_schedule(member)
        ],
    }
