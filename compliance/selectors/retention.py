"""The retention lines of the compliance page (policy §5, §6): rows held against their periods,
the last purge run, legal holds due for review."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.checks import AMBER, GREEN, RED, Check, admin_url, local_today, when
from retention.models import LegalHold, PurgeRun
from retention.registry import CATEGORIES
from retention.selectors import category_report

# A purge runs daily (CONTRACT.md's cron line): two hours' slack before a missed run is red.
PURGE_EVERY = datetime.timedelta(hours=26)
# A row still held a day after its due date means the purge is not removing it.
OVERDUE_ROW_GRACE = datetime.timedelta(days=1)


def _period(months: int) -> str:
    if months % 12 == 0:
        return ngettext("%(years)d year", "%(years)d years", months // 12) % {"years": months // 12}
    return ngettext("%(months)d month", "%(months)d months", months) % {"months": months}


def retention_categories(*, now: datetime.datetime) -> list[Check]:
    """Per category: rows held and whether a row not under a legal hold outlived its period.

    Red when one is still here more than a day after its due date (the purge missed it), amber
    when one is due and waits for the next purge run.
    """
    checks = []
    labels = {entry.key: entry.label for entry in CATEGORIES}
    for entry in category_report():
        due = datetime.datetime.fromisoformat(entry["next_due"]) if entry["next_due"] else None
        if due is not None and now >= due + OVERDUE_ROW_GRACE:
            state = RED
        elif due is not None and now >= due:
            state = AMBER
        else:
            state = GREEN
        oldest = datetime.datetime.fromisoformat(entry["oldest"]) if entry["oldest"] else None
        checks.append(
            Check(
                area="retention",
                key=f"retention.{entry['key']}",
                label=str(labels[entry["key"]]),
                state=state,
                value=ngettext("%(count)d row", "%(count)d rows", entry["rows"])
                % {"count": entry["rows"]},
                detail=_("Period %(period)s; oldest %(oldest)s; next deletion %(due)s.")
                % {"period": _period(entry["months"]), "oldest": when(oldest), "due": when(due)},
                url=admin_url("retention_purgerun_changelist"),
            )
        )
    return checks


def purge_runs(*, now: datetime.datetime) -> list[Check]:
    """The last ``purge_expired`` run: red when it failed or none succeeded within 26 hours."""
    last = PurgeRun.objects.order_by("-started_at", "-pk").first()
    done = (
        PurgeRun.objects.filter(outcome=PurgeRun.Outcome.DONE)
        .order_by("-finished_at", "-pk")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        state, detail = RED, _("The purge has never run.")
    elif last.outcome == PurgeRun.Outcome.FAILED:
        state, detail = RED, _("The last run failed.")
    elif done is None or now - done > PURGE_EVERY:
        state, detail = RED, _("No successful run in the last 26 hours.")
    else:
        state, detail = GREEN, _("Last successful run %(when)s.") % {"when": when(done)}
    value = (
        _("%(when)s, %(outcome)s")
        % {"when": when(last.started_at), "outcome": last.get_outcome_display()}
        if last
        else "—"
    )
    return [
        Check(
            area="retention",
            key="retention.purge",
            label=_("Last purge run"),
            state=state,
            value=value,
            detail=detail,
            url=admin_url("retention_purgerun_changelist"),
        )
    ]


def legal_holds(*, now: datetime.datetime) -> list[Check]:
    """Active legal holds whose review date has come: amber, the officer decides to lift or keep."""
    counts = LegalHold.objects.active().aggregate(
        active=Count("pk"), due=Count("pk", filter=Q(review_on__lte=local_today(now)))
    )
    return [
        Check(
            area="retention",
            key="retention.holds",
            label=_("Legal holds due for review"),
            state=AMBER if counts["due"] else GREEN,
            value=str(counts["due"]),
            detail=_("%(active)d active holds.") % {"active": counts["active"]},
            url=admin_url("retention_legalhold_changelist"),
        )
    ]
