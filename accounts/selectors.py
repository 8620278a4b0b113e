"""Reads of a member's data, shared by the my-data page and the export (policy §7 열람)."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import hooks
from accounts.models import Described, IdentityVerification, MisuseRecord, User, VisitRecord
from privacy.models import Consent
from privacy.selectors import member_disclosures, member_requests

RECORDS_PER_PAGE = 50
CELL_LENGTH = 300


def member_visits(member: User) -> QuerySet[VisitRecord]:
    return VisitRecord.objects.filter(member=member)


def member_identity_verifications(member: User) -> QuerySet[IdentityVerification]:
    return IdentityVerification.objects.filter(member=member)


def member_misuse_records(member: User) -> QuerySet[MisuseRecord]:
    return MisuseRecord.objects.filter(member=member)


def member_consents(member: User) -> QuerySet[Consent]:
    return Consent.objects.filter(member=member).select_related("policy_version")


@dataclass(frozen=True)
class RecordTable:
    """One category's records of a member on the my-data page, a page at a time."""

    key: str
    title: str
    headers: list[str]
    page: Page
    rows: list[tuple[list[str], datetime.datetime | None]]
    # What the deletion column says of a row without a date.
    undated: str
    # The other tables' pages, for this table's page links: paging one keeps the others.
    keep: str


class CountedPaginator(Paginator):
    """A paginator told how many rows there are: every table's count comes in one query."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def _header(model, name: str) -> str:
    """The heading of a ``member_columns`` column: a field's verbose name, or a ``Described``
    column's label."""
    column = getattr(model, name, None)
    if isinstance(column, Described):
        return column.label
    return model._meta.get_field(name).verbose_name


def _cell(record, name: str) -> str:
    """A column of ``record`` as the member reads it: choices by their label, times local,
    ``Described`` columns in their words."""
    if isinstance(getattr(type(record), name, None), Described):
        value = getattr(record, name)
    elif record._meta.get_field(name).choices:
        value = getattr(record, f"get_{name}_display")()
    else:
        value = getattr(record, name)
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i:s")
    if value in (None, ""):
        return "—"
    text = str(value)
    # Long messages are cut short on the page; the download holds them whole.
    return text if len(text) <= CELL_LENGTH else f"{text[:CELL_LENGTH]}…"


def record_tables(records: list, *, pages: Mapping[str, str]) -> list[RecordTable]:
    """The member's own records (``member_retention(member).records``), a table per registered
    source in the registry's order, a page of ``RECORDS_PER_PAGE`` rows at a time.

    ``pages`` maps a table's key to the page wanted (a query string); a page that is not a
    number is the first, one past the end the last. Each row carries the date it is destroyed.
    What a member sees of a record is its model's ``member_columns``. One query per table that
    has rows: the counts are already known, and an empty page reads nothing.
    """
    per_category = Counter(entry.category.key for entry in records)
    shown = []
    for entry in records:
        model = entry.rows.model
        key = f"{entry.category.key}-{model._meta.model_name}"
        paginator = CountedPaginator(entry.rows, RECORDS_PER_PAGE, count=entry.count)
        shown.append((entry, key, paginator.get_page(pages.get(key))))
    numbers = {key: page.number for _entry, key, page in shown if page.number > 1}
    tables = []
    for entry, key, page in shown:
        model = entry.rows.model
        columns = model.member_columns
        title = str(entry.category.label)
        if per_category[entry.category.key] > 1:
            title = f"{title} · {model._meta.verbose_name_plural}"
        if entry.with_the_account:
            undated = _("When you withdraw")
        else:
            undated = _("Counted from %(clock)s") % {"clock": entry.category.clock}
        tables.append(
            RecordTable(
                key=key,
                title=title,
                headers=[_header(model, name) for name in columns],
                page=page,
                rows=[
                    ([_cell(record, name) for name in columns], entry.due_date(record))
                    for record in page
                ],
                undated=undated,
                keep=urlencode({other: n for other, n in numbers.items() if other != key}),
            )
        )
    return tables


def _local(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _first(rows: QuerySet, limit: int | None) -> QuerySet:
    return rows if limit is None else rows[:limit]


def member_data(member: User, *, schedule: list | None = None, limit: int | None = None) -> dict:
    """Everything held about ``member``, as plain JSON-ready data (the export's content).

    ``schedule`` is the member's retention schedule when the caller has read it already;
    ``limit`` reads at most that many rows of each of accounts' own tables, newest first, for
    a view that shows a bounded part (the export reads them all).
    """
    if schedule is None:
        schedule = hooks.member_retention(member).schedule
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
            for consent in _first(member_consents(member), limit)
        ],
        "visit_records": [
            {
                "time": _local(visit.time),
                "ip": visit.ip,
                "method": visit.method,
                "path": visit.path,
                "status": visit.status,
            }
            for visit in _first(member_visits(member), limit).iterator()
        ],
        "identity_verifications": [
            {"time": _local(record.time), "ip": record.ip, "kind": record.kind}
            for record in _first(member_identity_verifications(member), limit).iterator()
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
            for disclosure in _first(member_disclosures(member), limit)
        ],
        # Policy §7: the member's requests, their outcome and a refusal's reasons.
        "privacy_requests": [
            {
                "kind": privacy_request.kind,
                "channel": privacy_request.channel,
                "details": privacy_request.details,
                "objects_to_received_at": _local(
                    privacy_request.objects_to and privacy_request.objects_to.received_at
                ),
                "received_at": _local(privacy_request.received_at),
                "due_at": _local(privacy_request.due_at),
                "status": privacy_request.status,
                "resolution": "" if privacy_request.is_open else privacy_request.resolution,
                "resolved_at": _local(privacy_request.resolved_at),
            }
            for privacy_request in member_requests(member)
        ],
        "misuse_records": [
            {
                "time": _local(record.time),
                "ip": record.ip,
                "kind": record.kind,
                "username_tried": record.username_tried,
            }
            for record in _first(member_misuse_records(member), limit).iterator()
        ],
        # What the apps above hold about the member (support inquiries, …).
        **{
            name: section
            for part in hooks.export_sections(member)
            for name, section in part.items()
        },
        "retention": [
            {
                "category": entry.category.key,
                "period": entry.category.period,
                "next_deletion": _local(entry.next_deletion),
            }
            for entry in schedule
        ],
    }
