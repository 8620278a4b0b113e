"""The readable export beside the JSON (policy §7 열람): the same items under headings in the
active language, codes as labels and visits in words, as tables for the CSV download and the
print view. Apps above label their sections through ``hooks.export_labels``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import hooks, visits
from accounts.models import IdentityVerification, MisuseRecord, User, VisitRecord
from accounts.selectors import member_data
from privacy.models import Consent, Disclosure, PrivacyRequest

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
    words: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
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
        "privacy_requests": Part(
            _("Your privacy requests"),
            {
                "kind": _field_label(PrivacyRequest, "kind"),
                "channel": _field_label(PrivacyRequest, "channel"),
                "details": _field_label(PrivacyRequest, "details"),
                "objects_to_received_at": _("Objection to the refusal of the request received"),
                "received_at": _field_label(PrivacyRequest, "received_at"),
                "due_at": _field_label(PrivacyRequest, "due_at"),
                "status": _field_label(PrivacyRequest, "status"),
                "resolution": _field_label(PrivacyRequest, "resolution"),
                "resolved_at": _field_label(PrivacyRequest, "resolved_at"),
            },
            choices={
                "kind": dict(PrivacyRequest.Kind.choices),
                "channel": dict(PrivacyRequest.Channel.choices),
                "status": dict(PrivacyRequest.Status.choices),
            },
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
    result = [
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
        result += _tables(f"{key}-{name}", titled, children, shown=shown, lead=lead_headers)
    return result


def tables(member: User, *, shown: int | None = None) -> list[ExportTable]:
    """The member's data export as labelled tables in the active language, values in words
    (the CSV download and the print view); the same items as ``member_data``, in its order.

    ``shown`` bounds each table to its first (newest) rows, for the print view.
    """
    schedule = hooks.member_retention(member).schedule
    data = member_data(member, schedule=schedule, limit=None if shown is None else shown + 1)
    parts = _own_parts(schedule)
    for labels in hooks.export_labels():
        parts.update({name: Part.of(section) for name, section in labels.items()})
    found = []
    for key, section in data.items():
        items = section if isinstance(section, list) else [section]
        part = parts.get(key) or _unlabelled(key, items)
        found += _tables(key, part, [((), item) for item in items], shown=shown)
    return found
