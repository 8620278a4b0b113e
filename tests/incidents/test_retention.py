"""Whom a breach affected is kept as the staff's handling of member data (registry:
``staff_access``, two years), archived with a withdrawn member and purged when due."""

from __future__ import annotations

import pytest
import time_machine

from accounts import services as accounts_services
from incidents import services
from incidents.models import AffectedMember, Incident
from retention.models import ArchivedRecord, member_key, source_key
from retention.services.archiving import archive_closed_accounts
from retention.services.purge import purge_expired
from tests.incidents.conftest import seoul

pytestmark = [
    pytest.mark.policy("5 나"),
    pytest.mark.django_db(databases=["default", "archive"]),
]

SELECTED = seoul(2026, 3, 10, 15, 0)


@pytest.fixture
def affected(incident, member):
    services.select_affected(incident=incident, scope=services.SCOPE_ALL, now=SELECTED)
    return AffectedMember.objects.get(member=member)


def test_the_rows_are_destroyed_two_years_later_and_not_before(affected):
    with time_machine.travel(seoul(2028, 3, 10, 23, 59), tick=False):
        purge_expired()
    assert AffectedMember.objects.filter(pk=affected.pk).exists()
    with time_machine.travel(seoul(2028, 3, 11, 0, 0), tick=False):
        purge_expired()
    assert not AffectedMember.objects.filter(pk=affected.pk).exists()
    assert Incident.objects.exists(), "the register itself names no member"


@pytest.mark.policy("6 가")
def test_a_withdrawn_members_rows_move_to_the_archive(affected, member, incident):
    services.acknowledge_notice(notice=affected, now=seoul(2026, 3, 12, 8, 0))
    accounts_services.close_account(member=member)
    result = archive_closed_accounts()
    assert result.members == 1
    assert not AffectedMember.objects.exists()
    copy = ArchivedRecord.objects.get(source_key=source_key(AffectedMember, affected.pk))
    assert (copy.category, copy.member_key, copy.time) == (
        "staff_access",
        member_key(member.pk),
        SELECTED,
    )
    assert copy.data["incident_id"] == incident.pk
    assert copy.data["acknowledged_at"].startswith("2026-03-11T23:00")
    assert Incident.objects.filter(pk=incident.pk).exists()


@pytest.mark.policy("6 가")
def test_the_archived_copy_is_destroyed_when_the_row_would_have_been(affected, member):
    accounts_services.close_account(member=member)
    archive_closed_accounts()
    with time_machine.travel(seoul(2028, 3, 10, 23, 59), tick=False):
        purge_expired()
    assert ArchivedRecord.objects.filter(category="staff_access").exists()
    with time_machine.travel(seoul(2028, 3, 11, 0, 0), tick=False):
        purge_expired()
    assert not ArchivedRecord.objects.filter(category="staff_access").exists()
