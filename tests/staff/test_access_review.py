"""The monthly access review (policy §9 라; 안전성 확보조치 기준: checked monthly)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from privacy.services import record_request
from retention.models import member_key
from retention.services.holds import place_hold
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.selectors.review import access_review
from staff.services import audit

SEOUL = ZoneInfo("Asia/Seoul")
MARCH = datetime.date(2026, 3, 1)
pytestmark = pytest.mark.policy("9 라")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def seeded(make_staff, make_member, settings):
    settings.ACCESS_REVIEW_BULK_THRESHOLD = 3
    kim = make_staff(username="kim01", role=PRIVACY_HANDLER)
    lee = make_staff(username="lee01", role=PRIVACY_HANDLER)
    members = [make_member(username=f"member{n:02}") for n in range(5)]
    held, restricted = members[0], members[1]
    place_hold(member_key=member_key(held.pk), reason="Dispute", review_on=MARCH, placed_by=lee)
    record_request(member=restricted, kind="correction", channel="letter")

    def write(staff, action, who, moment):
        audit.record_access(staff=staff, ip="10.1.1.1", action=action, members=who, now=moment)

    write(kim, "view", [members[2]], at(3, 10))  # Tuesday, working hours
    write(kim, "view", [members[3]], at(3, 11))
    write(kim, "list", members, at(4, 14))  # bulk: five members > 3
    write(kim, "view", [held], at(7, 10))  # Saturday, and a held member
    write(lee, "export", members[2:4], at(5, 22, 30))  # after hours, not bulk
    write(lee, "view", [restricted], at(6, 9))
    write(lee, "view", [members[2]], at(31, 23) + datetime.timedelta(hours=2))  # April in Seoul
    return kim, lee


def test_counts_by_action_per_handler(seeded):
    review = access_review(month=MARCH)
    by_staff = {handler.staff: handler for handler in review.handlers}
    assert by_staff["kim01"].by_action == {"view": 3, "list": 5}
    assert by_staff["lee01"].by_action == {"export": 2, "view": 1}


def test_bulk_views_and_exports_above_the_threshold_are_listed(seeded):
    by_staff = {h.staff: h for h in access_review(month=MARCH).handlers}
    assert [(e.action, e.members) for e in by_staff["kim01"].bulk] == [("list", 5)]
    assert by_staff["lee01"].bulk == []


def test_access_outside_working_hours_is_listed(seeded):
    by_staff = {h.staff: h for h in access_review(month=MARCH).handlers}
    assert [e.time for e in by_staff["kim01"].after_hours] == [at(7, 10)]
    assert [e.time for e in by_staff["lee01"].after_hours] == [at(5, 22, 30)]


def test_access_to_held_or_restricted_members_is_listed(seeded):
    by_staff = {h.staff: h for h in access_review(month=MARCH).handlers}
    assert [e.time for e in by_staff["kim01"].sensitive] == [at(4, 14), at(7, 10)]
    assert [e.time for e in by_staff["lee01"].sensitive] == [at(6, 9)]


def test_the_command_prints_the_review_of_the_month(seeded, capsys):
    call_command("access_review", "--month", "2026-03")
    out = capsys.readouterr().out
    assert "access review 2026-03" in out
    assert "kim01 records=8 list=5 view=3" in out
    assert "  bulk 2026-03-04 14:00 list members=5" in out
    assert "member0" not in out  # members are counted, never named


def test_the_command_refuses_a_malformed_month(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("access_review", "--month", "March")


def test_the_officer_sees_the_review_in_admin(seeded, client, login_as):
    login_as(role=PRIVACY_OFFICER, username="officer01")
    page = client.get(reverse("access_review"), {"month": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "kim01" in html and "lee01" in html
