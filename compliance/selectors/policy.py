"""The policy lines of the compliance page (policy §12): the version in force, an announced one,
members who must agree again."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts.models import User
from compliance.checks import AMBER, GREEN, RED, Check, admin_url, when
from privacy.models import Consent
from privacy.selectors import (
    live_versions,
    policy_in_force,
    upcoming_versions,
)


def policy_versions(*, now: datetime.datetime) -> list[Check]:
    """The version in force (red when there is none) and an announced one, amber while its
    notice period runs."""
    url = admin_url("privacy_policyversion_changelist")
    current = policy_in_force(now=now)
    in_force = Check(
        area="policy",
        key="policy.in_force",
        label=_("Policy version in force"),
        state=GREEN if current else RED,
        value=current.label if current else "—",
        detail=_("In force since %(when)s.") % {"when": when(current.effective_at)}
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
        % {"announced": when(upcoming.announced_at), "effective": when(upcoming.effective_at)}
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
            url=admin_url("privacy_policyversion_changelist"),
        )
    ]
