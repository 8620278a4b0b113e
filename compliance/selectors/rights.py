"""The members' rights lines of the compliance page (policy §7; PIPA §35–§37)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from compliance.checks import AMBER, GREEN, RED, Check, admin_url
from privacy.selectors import (
    open_requests,
    overdue_requests,
    pending_notices,
)

REQUEST_DUE_SOON = datetime.timedelta(days=3)


def privacy_requests(*, now: datetime.datetime) -> list[Check]:
    """Open requests; amber when one falls due within three days, red when one is overdue."""
    counts = open_requests().aggregate(
        open=Count("pk"),
        soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + REQUEST_DUE_SOON)),
    )
    overdue = overdue_requests(now=now).count()
    url = admin_url("privacy_privacyrequest_changelist")
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
            url=admin_url("privacy_correctionnotice_changelist"),
        )
    ]
