"""Domain errors of breach response, turned into form errors or admin messages at the edge."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


class IncidentRefused(Exception):
    """What the officer asked cannot be done; ``str()`` is the translated reason."""


class UnknownMembers(IncidentRefused):
    """A list of IDs named someone who is not an open member's account: nothing was added."""

    def __init__(self, usernames: list[str]):
        self.usernames = usernames
        super().__init__(
            _("No member has these IDs, so nobody was added: %(ids)s")
            % {"ids": ", ".join(usernames)}
        )


class BadScope(IncidentRefused):
    """The scope of a selection is unknown or lacks what it needs (a product, a period…)."""


class AlreadyNotified(IncidentRefused):
    def __init__(self):
        super().__init__(_("The members of this incident were already notified."))


class NotificationsPending(IncidentRefused):
    def __init__(self):
        super().__init__(
            _(
                "An incident is closed once its members were notified and, where required, "
                "the report was sent."
            )
        )


class BadReportDate(IncidentRefused):
    def __init__(self):
        super().__init__(
            _("The report cannot have been sent before the discovery or in the future.")
        )


class PublicNoticeHeld(IncidentRefused):
    """시행령 §39 ③: a breach's public notice stays published and pinned for 30 days."""

    def __init__(self, until: datetime.datetime):
        self.until = until
        super().__init__(
            _(
                "This notice tells members of a personal data breach: it stays published and "
                "pinned until %(until)s."
            )
            % {"until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")}
        )
