"""The privacy officer's live compliance checks: what is true right now, from the live databases.

One function per line of the page, each returning ``Check``s: green when all is well, amber when
something needs attention soon, red when a rule is broken now (``compliance_status`` exits 1).
Aggregates only: no member's personal data is read or shown; staff IDs are, for staff lines.
Every threshold comes from where its rule lives (the retention registry, settings); the few that
belong to this page alone are named in the selector module of their area.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

GREEN, AMBER, RED = "green", "amber", "red"
STATES = {
    GREEN: gettext_lazy("OK"),
    AMBER: gettext_lazy("Needs attention"),
    RED: gettext_lazy("Action needed"),
}

AREAS = {
    "retention": gettext_lazy("Retention"),
    "rights": gettext_lazy("Members' rights"),
    "staff": gettext_lazy("Staff"),
    "policy": gettext_lazy("Policy"),
    "proof": gettext_lazy("Proof report"),
}


@dataclass(frozen=True)
class Check:
    """One line of the page: ``key`` is stable (for ``--json`` and alerting), the rest is shown."""

    area: str
    key: str
    label: str
    state: str
    value: str
    detail: str = ""
    url: str = ""

    @property
    def area_label(self) -> str:
        return str(AREAS[self.area])

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    def as_dict(self) -> dict:
        return asdict(self)


def when(moment: datetime.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else "—"


def admin_url(name: str) -> str:
    return reverse(f"admin:{name}")


def local_today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()
