"""The policy lines of the compliance page (policy §12): the version in force, an announced one,
members who must agree again."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from accounts.models import User
from compliance.checks import AMBER, GREEN, RED, Check, admin_url, when
from privacy.selectors import must_agree_again, policy_in_force, upcoming_versions


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
    """Open members' accounts that must agree again before going on
    (``privacy.selectors.must_agree_again``): amber while any must."""
    members = User.objects.filter(is_staff=False, is_active=True, closed_at__isnull=True)
    count = must_agree_again(members, now=now).count()
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
