"""The staff-side tests log staff in without the second factor, which has tests of its own."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER
from staff.services import audit


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The second factor has its own tests (test_two_factor.py), which turn it back on.
    settings.STAFF_REQUIRE_2FA = False


# --- A month of downloads for the access review (고시 제8조), read when the month is over -----

REVIEW_ZONE = ZoneInfo("Asia/Seoul")
# The review is read in April, when March is over.
READ_AT = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=REVIEW_ZONE)


def at(day, hour=10, month=3):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=REVIEW_ZONE)


@pytest.fixture
def read_in_april():
    with time_machine.travel(READ_AT, tick=False):
        yield


@pytest.fixture
def downloads(make_staff, make_member):
    """March's downloads: an old one without a reason, a short reason, one reason given three
    times by kim (typed differently), the same once by lee, and an ordinary one."""
    kim = make_staff(username="kim01", role=PRIVACY_HANDLER)
    lee = make_staff(username="lee01", role=PRIVACY_HANDLER)
    members = [make_member(username=f"member{n:02}") for n in range(3)]

    def export(staff, reason, moment, who=members[:2]):
        audit.record_access(
            staff=staff,
            ip="10.1.1.1",
            action=AccessRecord.Action.EXPORT,
            members=who,
            target=audit.MEMBER_TARGET,
            reason=reason,
            now=moment,
        )

    export(kim, "", at(2))  # written before downloads had reasons
    export(kim, "check", at(3))
    export(kim, "Monthly  backup of the list", at(4))
    export(kim, "monthly backup of the LIST ", at(5), who=members)
    export(kim, "Monthly backup of the list", at(6))
    export(lee, "Monthly backup of the list", at(9))
    export(lee, "Letter from member00 of 2 March", at(10), who=members[:1])
    audit.record_access(staff=lee, ip=None, action="view", members=members, now=at(11))
    return kim, lee
