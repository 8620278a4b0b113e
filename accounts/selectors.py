"""Reads of a member's data, shared by the my-data page and the export (policy §7 열람)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import hooks, visits
from accounts.models import Described, IdentityVerification, MisuseRecord, User, VisitRecord
from privacy.models import Consent, Disclosure
from privacy.selectors import member_disclosures

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


def member_data(member: User, *, limit: int | None = None) -> dict:
    """Everything held about ``member``, as plain JSON-ready data (the export's content).

    ``limit`` reads at most that many rows of each of the member's tables here, newest first,
    for a view that shows a bounded part; the export itself reads them all.
    """
    return _member_data(member, hooks.member_retention(member).schedule, limit=limit)


def _member_data(member: User, schedule: list, *, limit: int | None) -> dict:
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


# --- The readable export: the JSON's content under headings, in words (CSV, print view) -------

# A time as the JSON export writes it (local, ISO 8601), shown to the second.
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


@dataclass(frozen=True)
class Part:
    """How the readable export shows a section of the JSON export: its ``title``, the
    ``columns`` shown (key → heading, in order), values read as labels (``choices``) or in
    words (``words``: a value to show in its place), and lists inside each item shown as
    tables of their own (``parts``), each row led by its item's first column."""

    title: str
    columns: Mapping[str, str]
    choices: Mapping[str, Mapping] = field(default_factory=dict)
    words: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    parts: Mapping[str, Part] = field(default_factory=dict)

    @classmethod
    def of(cls, labels: Mapping) -> Part:
        """The part an app describes in ``hooks.export_labels``."""
        return cls(
            title=labels["title"],
            columns=labels["columns"],
            choices=labels.get("choices", {}),
            words=labels.get("words", {}),
            parts={key: cls.of(part) for key, part in labels.get("parts", {}).items()},
        )

    def cell(self, key: str, value: Any) -> str:
        if key in self.words:
            return _text(self.words[key](value))
        if key in self.choices and value in self.choices[key]:
            return str(self.choices[key][value])
        return _text(value)


def _text(value: Any) -> str:
    """A JSON value as a spreadsheet cell or a printed page shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        return value[:19].replace("T", " ")
    if isinstance(value, list):
        return "; ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True)
class ExportTable:
    """One table of the readable export; ``more`` when rows past the view's bound were left
    out (the CSV and JSON downloads hold them all)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    more: bool = False


def _field_label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _own_parts(schedule: list) -> dict[str, Part]:
    """How the readable export shows the sections accounts itself writes."""
    time, ip = _field_label(VisitRecord, "time"), _field_label(VisitRecord, "ip")
    return {
        "profile": Part(
            _("Membership information"),
            {
                "username": _("ID"),
                "company": _("Company"),
                "project": _("Project"),
                "product": _("Product in use"),
                "date_joined": _("Joined"),
                "last_login": _("Last login"),
            },
        ),
        "consents": Part(
            _("Your consents"),
            {
                "policy_version": _("Policy version"),
                "kind": _("Kind"),
                "given_at": _("Given at"),
                "ip": ip,
            },
            choices={"kind": dict(Consent.Kind.choices)},
        ),
        # The stored fields in the words of the my-data page (accounts.visits).
        "visit_records": Part(
            capfirst(VisitRecord._meta.verbose_name_plural),
            {
                "time": time,
                "ip": ip,
                "path": capfirst(VisitRecord.page.label),
                "method": capfirst(VisitRecord.action.label),
                "status": capfirst(VisitRecord.outcome.label),
            },
            words={"path": visits.page_name, "method": visits.action, "status": visits.outcome},
        ),
        "identity_verifications": Part(
            capfirst(IdentityVerification._meta.verbose_name_plural),
            {"time": time, "ip": ip, "kind": _field_label(IdentityVerification, "kind")},
            choices={"kind": dict(IdentityVerification.Kind.choices)},
        ),
        "disclosures": Part(
            _("Provided to third parties"),
            {
                "recipient": _field_label(Disclosure, "recipient"),
                "basis": _field_label(Disclosure, "basis"),
                "statute": _field_label(Disclosure, "statute"),
                "items": _field_label(Disclosure, "items"),
                "disclosed_at": _field_label(Disclosure, "disclosed_at"),
            },
            choices={"basis": dict(Disclosure.Basis.choices)},
        ),
        "misuse_records": Part(
            capfirst(MisuseRecord._meta.verbose_name_plural),
            {
                "time": time,
                "ip": ip,
                "kind": _field_label(MisuseRecord, "kind"),
                "username_tried": _field_label(MisuseRecord, "username_tried"),
            },
            choices={"kind": dict(MisuseRecord.Kind.choices)},
        ),
        "retention": Part(
            _("When your records are destroyed"),
            {
                "category": _("Records"),
                "period": _("Kept for"),
                "next_deletion": _("Next deletion"),
            },
            choices={
                "category": {entry.category.key: entry.category.label for entry in schedule},
                "period": {entry.category.period: _period(entry.category) for entry in schedule},
            },
        ),
    }


def _period(category) -> str:
    if not category.months:
        return _("While you are a member")
    return ngettext("%(months)s month", "%(months)s months", category.months) % {
        "months": category.months
    }


def _unlabelled(key: str, items: list[dict]) -> Part:
    """A section no app labelled: shown under its own keys rather than left out."""
    return Part(key, {name: name for name in (items[0] if items else {})})


def _tables(
    key: str, part: Part, items: list, *, shown: int | None, lead: tuple[str, ...] = ()
) -> list[ExportTable]:
    """``items`` (pairs of leading cells and a JSON item) as a table, then a table per part;
    at most ``shown`` rows each."""
    kept = items if shown is None else items[:shown]
    tables = [
        ExportTable(
            key=key,
            title=part.title,
            headers=[*lead, *(capfirst(str(heading)) for heading in part.columns.values())],
            rows=[
                [*cells, *(part.cell(name, item.get(name)) for name in part.columns)]
                for cells, item in kept
            ],
            more=len(kept) < len(items),
        )
    ]
    for name, inner in part.parts.items():
        first, heading = next(iter(part.columns.items()))
        children = [
            ((*cells, part.cell(first, item.get(first))), child)
            for cells, item in kept
            for child in item.get(name) or ()
        ]
        titled = replace(inner, title=f"{part.title} · {inner.title}")
        lead_headers = (*lead, capfirst(str(heading)))
        tables += _tables(f"{key}-{name}", titled, children, shown=shown, lead=lead_headers)
    return tables


def readable_export(member: User, *, shown: int | None = None) -> list[ExportTable]:
    """The member's data export as labelled tables in the active language, values in words
    (the CSV download and the print view); the same items as ``member_data``, in its order.

    ``shown`` bounds each table to its first (newest) rows, for the print view.
    """
    schedule = hooks.member_retention(member).schedule
    data = _member_data(member, schedule, limit=None if shown is None else shown + 1)
    parts = _own_parts(schedule)
    for labels in hooks.export_labels():
        parts.update({name: Part.of(section) for name, section in labels.items()})
    tables = []
    for key, section in data.items():
        items = section if isinstance(section, list) else [section]
        part = parts.get(key) or _unlabelled(key, items)
        tables += _tables(key, part, [((), item) for item in items], shown=shown)
    return tables
