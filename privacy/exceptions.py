"""Domain errors of the privacy policy, turned into form errors or exit codes at the edge."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


class PolicyRefused(Exception):
    """A policy version could not be announced or withdrawn; ``str()`` is the translated reason."""


class NoticePeriodTooShort(PolicyRefused):
    def __init__(self, *, earliest: datetime.datetime, days: int):
        self.earliest = earliest
        self.days = days
        super().__init__(
            _(
                "Changes must be announced at least %(days)d full days before they take effect: "
                "the earliest possible effective time is %(earliest)s."
            )
            % {"days": days, "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")}
        )


class EffectiveBeforeAnnouncedVersion(PolicyRefused):
    def __init__(self, *, label: str):
        super().__init__(
            _("A new version must take effect after version %(label)s, already announced.")
            % {"label": label}
        )


class LabelTaken(PolicyRefused):
    def __init__(self, *, label: str):
        super().__init__(_("Version %(label)s already exists.") % {"label": label})


class CannotWithdraw(PolicyRefused):
    def __init__(self, *, label: str):
        super().__init__(
            _("Version %(label)s is already in force or withdrawn and cannot be withdrawn.")
            % {"label": label}
        )


class PolicyVersionImmutable(Exception):
    """An announced version's text, label and dates never change."""
