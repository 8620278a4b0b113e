"""The privacy officer's live compliance checks: what is true right now, from the live databases.

One function per line of the page, each returning ``Check``s: green when all is well, amber when
something needs attention soon, red when a rule is broken now (``compliance_status`` exits 1).
Aggregates only: no member's personal data is read or shown; staff IDs are, for staff lines.
Every threshold comes from where its rule lives (the retention registry, settings); the few that
belong to this page alone are named below.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from privacy.models import Consent
from privacy.selectors import (
    live_versions,
    open_requests,
    overdue_requests,
    pending_notices,
    policy_in_force,
    upcoming_versions,
)
from retention.models import LegalHold, PurgeRun
from retention.registry import CATEGORIES
from retention.selectors import category_report
from staff.models import PrivilegeChange, StaffCredential
from staff.selectors.review import unreviewed_months

GREEN, AMBER, RED = "green", "amber", "red"
STATES = {
    GREEN: gettext_lazy("OK"),
    AMBER: gettext_lazy("Needs attention"),
    RED: gettext_lazy("Action needed"),
}
# A purge runs daily (CONTRACT.md's cron line): two hours' slack before a missed run is red.
PURGE_EVERY = datetime.timedelta(hours=26)
# A row still held a day after its due date means the purge is not removing it.
OVERDUE_ROW_GRACE = datetime.timedelta(days=1)
REQUEST_DUE_SOON = datetime.timedelta(days=3)
STAFF_IDLE_DAYS = 90

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


def _when(moment: datetime.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else "—"


def _admin(name: str) -> str:
    return reverse(f"admin:{name}")


def _period(months: int) -> str:
    if months % 12 == 0:
        return ngettext("%(years)d year", "%(years)d years", months // 12) % {"years": months // 12}
    return ngettext("%(months)d month", "%(months)d months", months) % {"months": months}


def _local_today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()


# --- Retention (policy §5, §6) ------------------------------------------------------------------


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
                % {"period": _period(entry["months"]), "oldest": _when(oldest), "due": _when(due)},
                url=_admin("retention_purgerun_changelist"),
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
        state, detail = GREEN, _("Last successful run %(when)s.") % {"when": _when(done)}
    value = (
        _("%(when)s, %(outcome)s")
        % {"when": _when(last.started_at), "outcome": last.get_outcome_display()}
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
            url=_admin("retention_purgerun_changelist"),
        )
    ]


def legal_holds(*, now: datetime.datetime) -> list[Check]:
    """Active legal holds whose review date has come: amber, the officer decides to lift or keep."""
    counts = LegalHold.objects.active().aggregate(
        active=Count("pk"), due=Count("pk", filter=Q(review_on__lte=_local_today(now)))
    )
    return [
        Check(
            area="retention",
            key="retention.holds",
            label=_("Legal holds due for review"),
            state=AMBER if counts["due"] else GREEN,
            value=str(counts["due"]),
            detail=_("%(active)d active holds.") % {"active": counts["active"]},
            url=_admin("retention_legalhold_changelist"),
        )
    ]


# --- Members' rights (policy §7; PIPA §35–§37) ------------------------------------------------


def privacy_requests(*, now: datetime.datetime) -> list[Check]:
    """Open requests; amber when one falls due within three days, red when one is overdue."""
    counts = open_requests().aggregate(
        open=Count("pk"),
        soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + REQUEST_DUE_SOON)),
    )
    overdue = overdue_requests(now=now).count()
    url = _admin("privacy_privacyrequest_changelist")
    return [
        Check(
            "rights", "rights.open", _("Privacy requests open"), GREEN, str(counts["open"]), "", url
        ),
        Check(
            "rights",
            "rights.due_soon",
            _("Privacy requests due within 3 days"),
            AMBER if counts["soon"] else GREEN,
            str(counts["soon"]),
            "",
            url,
        ),
        Check(
            "rights",
            "rights.overdue",
            _("Privacy requests overdue"),
            RED if overdue else GREEN,
            str(overdue),
            _("Answer within %(days)d days of receipt.") % {"days": settings.PRIVACY_REQUEST_DAYS},
            url,
        ),
    ]


def correction_notices(*, now: datetime.datetime) -> list[Check]:
    """Recipients not yet told of a correction (PIPA §36, policy §3): amber while any wait."""
    pending = pending_notices().count()
    return [
        Check(
            area="rights",
            key="rights.notices",
            label=_("Correction notices not yet sent to recipients"),
            state=AMBER if pending else GREEN,
            value=str(pending),
            url=_admin("privacy_correctionnotice_changelist"),
        )
    ]


# --- Staff (안전성 확보조치 기준 제5조, 제6조, 제8조) ---------------------------------------------


def _staff() -> QuerySet[User]:
    """The staff accounts that can log in now."""
    return User.objects.filter(is_staff=True, is_active=True)


def _ids(usernames: list[str]) -> str:
    return ", ".join(usernames)


def access_reviews(*, now: datetime.datetime) -> list[Check]:
    """Months of the access review not signed off (고시 제8조): amber for last month, which the
    officer is still reviewing, red for any month before it."""
    months = unreviewed_months(now=now)
    last_month = (_local_today(now).replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    late = any(month < last_month for month in months)
    state = RED if late else AMBER if months else GREEN
    return [
        Check(
            area="staff",
            key="staff.review",
            label=_("Access-review months not signed off"),
            state=state,
            value=str(len(months)),
            detail=", ".join(f"{month:%Y-%m}" for month in months),
            url=reverse("access_review"),
        )
    ]


def second_factor(*, now: datetime.datetime) -> list[Check]:
    """Active staff without a confirmed TOTP device: red when the second factor is required."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    missing = list(
        _staff().exclude(Exists(confirmed)).order_by("username").values_list("username", flat=True)
    )
    severity = RED if settings.STAFF_REQUIRE_2FA else AMBER
    return [
        Check(
            area="staff",
            key="staff.second_factor",
            label=_("Staff without a second factor"),
            state=severity if missing else GREEN,
            value=str(len(missing)),
            detail=_ids(missing),
            url=_admin("accounts_user_changelist") + "?is_staff__exact=1",
        )
    ]


def staff_passwords(*, now: datetime.datetime) -> list[Check]:
    """Staff passwords older than ``STAFF_PASSWORD_MAX_AGE_DAYS`` or of unknown age (as
    ``staff.selectors.passwords.password_expired`` decides for one account), amber."""
    limit = now - datetime.timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS)
    changed = StaffCredential.objects.filter(user=OuterRef("pk")).values("password_changed_at")
    expired = list(
        _staff()
        .annotate(changed=Subquery(changed[:1]))
        .filter(Q(changed__isnull=True) | Q(changed__lte=limit))
        .order_by("username")
        .values_list("username", flat=True)
    )
    return [
        Check(
            area="staff",
            key="staff.passwords",
            label=_("Staff passwords past their age"),
            state=AMBER if expired else GREEN,
            value=str(len(expired)),
            detail=_ids(expired),
            url=_admin("accounts_user_changelist") + "?is_staff__exact=1",
        )
    ]


def idle_staff(*, now: datetime.datetime) -> list[Check]:
    """Staff accounts not used for 90 days: accounts to remove (제5조 ①), amber."""
    since = now - datetime.timedelta(days=STAFF_IDLE_DAYS)
    idle = list(
        _staff()
        .filter(Q(last_login__lt=since) | Q(last_login__isnull=True, date_joined__lt=since))
        .order_by("username")
        .values_list("username", flat=True)
    )
    return [
        Check(
            area="staff",
            key="staff.idle",
            label=_("Staff not logged in for 90 days"),
            state=AMBER if idle else GREEN,
            value=str(len(idle)),
            detail=_ids(idle),
            url=_admin("accounts_user_changelist") + "?is_staff__exact=1",
        )
    ]


def privilege_changes(*, now: datetime.datetime) -> list[Check]:
    """Grants and removals of staff privileges this month: for the officer's knowledge."""
    start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    count = PrivilegeChange.objects.filter(time__gte=start).count()
    return [
        Check(
            area="staff",
            key="staff.privileges",
            label=_("Privilege changes this month"),
            state=GREEN,
            value=str(count),
            url=_admin("staff_privilegechange_changelist"),
        )
    ]


# --- The policy (policy §12) --------------------------------------------------------------------


def policy_versions(*, now: datetime.datetime) -> list[Check]:
    """The version in force (red when there is none) and an announced one, amber while its
    notice period runs."""
    url = _admin("privacy_policyversion_changelist")
    current = policy_in_force(now=now)
    in_force = Check(
        area="policy",
        key="policy.in_force",
        label=_("Policy version in force"),
        state=GREEN if current else RED,
        value=current.label if current else "—",
        detail=_("In force since %(when)s.") % {"when": _when(current.effective_at)}
        if current
        else _("No policy version is in force."),
        url=url,
    )
    upcoming = upcoming_versions(now=now).first()
    announced = Check(
        area="policy",
        key="policy.announced",
        label=_("Announced policy version"),
        state=AMBER if upcoming else GREEN,
        value=upcoming.label if upcoming else "—",
        detail=_("Announced %(announced)s, in force from %(effective)s.")
        % {"announced": _when(upcoming.announced_at), "effective": _when(upcoming.effective_at)}
        if upcoming
        else "",
        url=url,
    )
    return [in_force, announced]


def reconsent(*, now: datetime.datetime) -> list[Check]:
    """Open members' accounts that must agree again before going on (the rule of
    ``privacy.selectors.policy_standing``, counted in one query): amber while any must."""
    changed_at = (
        live_versions()
        .filter(requires_consent=True, effective_at__lte=now)
        .order_by("-effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    count = 0
    if changed_at is not None:
        agreed = Consent.objects.filter(
            member=OuterRef("pk"),
            kind__in=[Consent.Kind.SIGNUP, Consent.Kind.RECONSENT],
            policy_version__effective_at__gte=changed_at,
        )
        count = (
            User.objects.filter(is_staff=False, is_active=True, closed_at__isnull=True)
            .exclude(Exists(agreed))
            .count()
        )
    return [
        Check(
            area="policy",
            key="policy.reconsent",
            label=_("Members who must agree again"),
            state=AMBER if count else GREEN,
            value=str(count),
            url=_admin("privacy_policyversion_changelist"),
        )
    ]


# --- The last proof report (make compliance) ----------------------------------------------------


def _unproven(report: dict) -> list[str]:
    if isinstance(report.get("unproven"), list):
        return [str(clause) for clause in report["unproven"]]
    return [
        str(clause.get("clause") or clause.get("id"))
        for clause in report.get("clauses", [])
        if isinstance(clause, dict) and clause.get("status") == "unproven"
    ]


def proof_report(*, now: datetime.datetime) -> list[Check]:
    """The summary of ``report.json`` in ``COMPLIANCE_REPORT_DIR``, when one was built: amber
    when a clause is unproven or the file cannot be read (CI already fails such a build)."""
    path = Path(settings.COMPLIANCE_REPORT_DIR) / "report.json"
    if not path.is_file():
        return []
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        unproven = _unproven(report)
    except (OSError, ValueError, AttributeError):
        return [
            Check("proof", "proof.report", _("Last proof report"), AMBER, "—", _("Unreadable."))
        ]
    return [
        Check(
            area="proof",
            key="proof.report",
            label=_("Last proof report"),
            state=AMBER if unproven else GREEN,
            value=_("%(date)s, commit %(commit)s")
            % {
                "date": report.get("date") or report.get("generated_at") or "—",
                "commit": str(report.get("commit") or "—")[:12],
            },
            detail=_("Unproven clauses: %(clauses)s") % {"clauses": ", ".join(unproven)}
            if unproven
            else _("Every clause is proven."),
        )
    ]


LINES: tuple[Callable[..., list[Check]], ...] = (
    retention_categories,
    purge_runs,
    legal_holds,
    privacy_requests,
    correction_notices,
    access_reviews,
    second_factor,
    staff_passwords,
    idle_staff,
    privilege_changes,
    policy_versions,
    reconsent,
    proof_report,
)


def compliance_checks(*, now: datetime.datetime | None = None) -> list[Check]:
    """Every line of the page, in the page's order; a fixed number of queries whatever the data."""
    now = now or timezone.now()
    return [check for line in LINES for check in line(now=now)]


def overall(checks: list[Check]) -> str:
    """The worst state among ``checks``."""
    states = {check.state for check in checks}
    return RED if RED in states else AMBER if AMBER in states else GREEN
