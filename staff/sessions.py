"""What a staff session keeps beyond Django's (안전성 확보조치 기준 제6조).

The time of its last request, for the idle timeout, and, once after login, the previous login
of the account to show on the admin index. Both live in the session itself: no table, and gone
with the session.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

from staff.services.access_control import PreviousLogin

LAST_ACTIVITY = "staff_last_activity"
LOGIN_NOTE = "staff_login_note"
# The last activity is rewritten at most once a minute, not on every request: a staff session
# then ends between STAFF_IDLE_MINUTES - 1 and STAFF_IDLE_MINUTES after its last request.
ACTIVITY_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class LoginNote:
    """What to show once after login: the previous login, or None when there was none."""

    previous: PreviousLogin | None


def started(
    session: SessionBase, *, now: datetime.datetime, previous: PreviousLogin | None
) -> None:
    """A staff member has just logged in: start the idle clock and keep the note to show."""
    session[LAST_ACTIVITY] = now.timestamp()
    session[LOGIN_NOTE] = (
        {"time": previous.time.timestamp(), "ip": previous.ip} if previous is not None else {}
    )


def last_activity(session: SessionBase) -> datetime.datetime | None:
    """When the session's last request came, or None for a session older than the clock."""
    value = session.get(LAST_ACTIVITY)
    return None if value is None else datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def touch(session: SessionBase, *, now: datetime.datetime) -> None:
    """Note a request, writing the session only once ``ACTIVITY_RESOLUTION`` has passed."""
    last = last_activity(session)
    if last is None or now - last >= ACTIVITY_RESOLUTION:
        session[LAST_ACTIVITY] = now.timestamp()


def pop_login_note(session: SessionBase) -> LoginNote | None:
    """The note kept at login, once: None when there is none (any request but the first)."""
    if LOGIN_NOTE not in session:
        return None
    kept = session.pop(LOGIN_NOTE)
    if not kept:
        return LoginNote(previous=None)
    time = datetime.datetime.fromtimestamp(kept["time"], tz=datetime.UTC)
    return LoginNote(previous=PreviousLogin(time=time, ip=kept["ip"]))
