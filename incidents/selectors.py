"""Reads of breach response: the 72-hour clock, whether the report is required and its text, and
what members, the staff dashboard and the notices' admin are told through the lower apps' hooks
(``incidents.apps``)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import local_midnight
from incidents.exceptions import PublicNoticeHeld
from incidents.models import PUBLIC_NOTICE_DAYS, REPORT_THRESHOLD, AffectedMember, Incident

HOUR = datetime.timedelta(hours=1)
VIEW_PERMISSION = "incidents.view_incident"


# --- The 72 hours (시행령 §39 ①, §40 ①) ----------------------------------------------------


def _hours(delta: datetime.timedelta) -> int:
    """Whole hours, rounded up: twenty minutes left is "due in 1h", not "due in 0h"."""
    return math.ceil(abs(delta) / HOUR)


def _state_text(state: str, hours: int) -> str:
    if state == "due":
        return _("due in %(hours)dh") % {"hours": hours}
    if state == "overdue":
        return _("overdue by %(hours)dh") % {"hours": hours}
    if state == "late":
        return _("done %(hours)dh late") % {"hours": hours}
    return _("on time")


@dataclass(frozen=True)
class Step:
    """One notification the 72 hours apply to: the members', or the report to the authority."""

    label: str
    done_at: datetime.datetime | None
    deadline: datetime.datetime
    now: datetime.datetime

    @property
    def state(self) -> str:
        """``due`` or ``overdue`` while not done; ``on_time`` or ``late`` once done."""
        if self.done_at is not None:
            return "on_time" if self.done_at <= self.deadline else "late"
        return "due" if self.now <= self.deadline else "overdue"

    @property
    def hours(self) -> int:
        return _hours((self.done_at or self.now) - self.deadline)

    @property
    def text(self) -> str:
        return _state_text(self.state, self.hours)


@dataclass(frozen=True)
class Clock:
    """The 72 hours from discovery within which the members are notified and, where required,
    the report is sent. It runs until every step is done."""

    deadline: datetime.datetime
    now: datetime.datetime
    steps: tuple[Step, ...]

    @property
    def running(self) -> bool:
        return any(step.done_at is None for step in self.steps)

    @property
    def state(self) -> str:
        if self.running:
            return "due" if self.now <= self.deadline else "overdue"
        return "late" if any(step.state == "late" for step in self.steps) else "on_time"

    @property
    def text(self) -> str:
        if self.running:
            return _state_text(self.state, _hours(self.now - self.deadline))
        late = [step.hours for step in self.steps if step.state == "late"]
        return _state_text(self.state, max(late, default=0))


def report_reasons(incident: Incident, *, affected: int) -> list[str]:
    """시행령 §40 ①: why the breach must be reported to the PIPC or KISA; empty when it need not
    be (fewer than 1,000 members, no sensitive data, no intrusion from outside)."""
    reasons = []
    if affected >= REPORT_THRESHOLD:
        reasons.append(
            _("%(count)d members affected (%(threshold)d or more)")
            % {"count": affected, "threshold": REPORT_THRESHOLD}
        )
    if incident.sensitive:
        reasons.append(_("sensitive or unique identifying data involved"))
    if incident.intrusion:
        reasons.append(_("unlawful access from outside"))
    return reasons


def clock(incident: Incident, *, affected: int, now: datetime.datetime | None = None) -> Clock:
    """The incident's clock at ``now``, given how many members it affects (the report is
    required from ``REPORT_THRESHOLD`` of them)."""
    now = now or timezone.now()
    deadline = incident.deadline
    steps = [Step(_("Members notified"), incident.members_notified_at, deadline, now)]
    if report_reasons(incident, affected=affected):
        steps.append(
            Step(_("Report to the PIPC or KISA"), incident.authority_report_sent_at, deadline, now)
        )
    return Clock(deadline=deadline, now=now, steps=tuple(steps))


@dataclass(frozen=True)
class Counts:
    affected: int
    acknowledged: int


def counts(incident: Incident) -> Counts:
    """How many members the incident affects, and how many acknowledged its notice: one query."""
    totals = AffectedMember.objects.filter(incident=incident).aggregate(
        affected=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    return Counts(affected=totals["affected"], acknowledged=totals["acknowledged"])


def with_affected_count(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """``incidents`` with ``affected_total``, counted in their own query as a subquery."""
    total = (
        AffectedMember.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return incidents.annotate(affected_total=Coalesce(Subquery(total), 0))


def running_clocks(*, now: datetime.datetime) -> list[tuple[Incident, Clock]]:
    """The open incidents whose clock still runs, soonest deadline first: one query."""
    candidates = with_affected_count(
        Incident.objects.filter(closed_at__isnull=True)
        .filter(Q(members_notified_at__isnull=True) | Q(authority_report_sent_at__isnull=True))
        .order_by("discovered_at", "pk")
    )
    pairs = [
        (incident, clock(incident, affected=incident.affected_total, now=now))
        for incident in candidates
    ]
    return [(incident, running) for incident, running in pairs if running.running]


def deadline_panel(*, now: datetime.datetime, user) -> dict | None:
    """The staff dashboard's breaches awaiting their notifications, for the privacy officer."""
    if not user.has_perm(VIEW_PERMISSION):
        return None
    return {
        "title": _("Breaches: 72 hours to notify members and report"),
        "rows": [
            {
                "label": incident.title,
                "url": reverse("admin:incidents_incident_change", args=[incident.pk]),
                "state": running.text,
                "overdue": running.state == "overdue",
            }
            for incident, running in running_clocks(now=now)
        ],
    }


# --- What the officer copies and what the notices say -----------------------------------------


def default_contact() -> str:
    """Whom members contact about a breach, as the policy in force names the support center."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "The privacy officer of the NEXCORE Support Center: phone %(phone)s, e-mail %(email)s"
        ) % {"phone": settings.SUPPORT_PHONE, "email": settings.SUPPORT_EMAIL}


def report_text(incident: Incident, *, now: datetime.datetime | None = None) -> str:
    """시행령 §40: the report to the PIPC or KISA, filled in the site's language for the officer
    to copy into the authority's form, with the counts as they stand now."""
    numbers = counts(incident)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "admin/incidents/incident/report.txt",
            {
                "incident": incident,
                "counts": numbers,
                "reasons": report_reasons(incident, affected=numbers.affected),
                "notices_url": reverse("notices:list"),
                "now": now or timezone.now(),
            },
        ).strip()


def public_notice_text(incident: Incident) -> str:
    """The public notice (시행령 §39 ③) in the site's language, Markdown: the five items."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("incidents/public_notice.md", {"incident": incident}).strip()


def public_notice_until(notice) -> datetime.datetime | None:
    """When a breach's public notice may come down: after 30 full days (시행령 §39 ③), counted
    from the notification as the Civil Act counts days (민법 §157: the day it went up counts
    only from 00:00). None for a notice that announces no breach."""
    notified = (
        Incident.objects.filter(public_notice=notice)
        .order_by("members_notified_at")
        .values_list("members_notified_at", flat=True)
        .first()
    )
    if notified is None:
        return None
    local = timezone.localtime(notified)
    first_day = local.date()
    if local.time() != datetime.time.min:
        first_day += datetime.timedelta(days=1)
    return local_midnight(first_day + datetime.timedelta(days=PUBLIC_NOTICE_DAYS))


def notice_hold(notice, *, now: datetime.datetime | None = None) -> str | None:
    """Why ``notice`` must stay published and pinned now, or None when it need not."""
    until = public_notice_until(notice)
    if until is None or (now or timezone.now()) >= until:
        return None
    return str(PublicNoticeHeld(until))


# --- What each affected member sees (PIPA §34 ①) ----------------------------------------------


def notices_of(member) -> QuerySet[AffectedMember]:
    """The member's breach notices, newest first: incidents whose members were notified.

    Before the notification the officer is still establishing the facts; the notice is how
    the member is told of them.
    """
    return (
        AffectedMember.objects.filter(member=member, incident__members_notified_at__isnull=False)
        .select_related("incident")
        .order_by("-incident__members_notified_at", "-pk")
    )


def unacknowledged(member) -> QuerySet[AffectedMember]:
    return notices_of(member).filter(acknowledged_at__isnull=True)


def first_page(member) -> str | None:
    """The notices' page, when the member has one not yet acknowledged: shown at login first."""
    return reverse("incidents:notices") if unacknowledged(member).exists() else None


def member_panel(member) -> dict | None:
    """The member's breach notices on the my-data and support pages, with the acknowledge
    button for those not yet acknowledged; None when there are none."""
    notices = list(notices_of(member))
    if not notices:
        return None
    return {"template": "incidents/member_panel.html", "notices": notices}


def member_export(member) -> dict:
    """The member's breach notices and their acknowledgements, for the data export (§7 열람)."""
    return {
        "breach_notices": [
            {
                "incident": notice.incident.title,
                "notified_at": timezone.localtime(notice.incident.members_notified_at).isoformat(),
                "acknowledged_at": notice.acknowledged_at
                and timezone.localtime(notice.acknowledged_at).isoformat(),
            }
            for notice in notices_of(member)
        ]
    }


def export_labels() -> dict:
    """How the readable export (CSV, print view) shows ``member_export``'s section."""
    return {
        "breach_notices": {
            "title": _("Notices of a breach of your personal data"),
            "columns": {
                "incident": _("Incident"),
                "notified_at": _("Notified at"),
                "acknowledged_at": _("Acknowledged at"),
            },
        }
    }
