"""Staff-side records follow the retention registry: archived with the member, purged when due."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts import services
from privacy.models import DisclosedMember, PrivacyRequest
from privacy.services import record_disclosure, record_request, resolve_request
from retention.models import ArchivedRecord
from retention.services.archiving import archive_closed_accounts
from retention.services.purge import purge_expired
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER
from staff.services import audit

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = [pytest.mark.policy("5"), pytest.mark.django_db(databases=["default", "archive"])]


def test_a_withdrawn_members_staff_side_records_move_to_the_archive(make_member, make_staff):
    member = make_member(username="leaver01")
    handler = make_staff(role=PRIVACY_HANDLER)
    audit.record_access(staff=handler, ip="10.0.0.5", action="view", members=[member])
    request = record_request(member=member, kind="access", channel="letter")
    resolve_request(request=request, resolution="A copy was sent.")
    record_disclosure(recipient="Partner", basis="consent", items="ID", members=[member])
    services.close_account(member=member)
    archive_closed_accounts()
    assert not AccessRecord.objects.filter(staff_username=handler.username, member__isnull=False)
    assert not PrivacyRequest.objects.exists() and not DisclosedMember.objects.exists()
    kept = dict(ArchivedRecord.objects.values_list("category", "source_key").order_by("source_key"))
    assert {"staff_access", "complaint"} <= set(kept)


@pytest.mark.policy("7")
def test_a_member_with_an_unanswered_request_stays_until_it_is_answered(make_member):
    member = make_member(username="asker01")
    request = record_request(member=member, kind="access", channel="letter")
    services.close_account(member=member)
    result = archive_closed_accounts()
    assert (result.members, result.waiting) == (0, 1)
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()
    resolve_request(request=request, resolution="Answered by letter.")
    assert archive_closed_accounts().members == 1
    assert ArchivedRecord.objects.filter(category="complaint").exists()
    assert not PrivacyRequest.objects.exists()


def test_access_records_are_destroyed_two_years_later_and_not_before(member, make_staff):
    handler = make_staff(role=PRIVACY_HANDLER)
    made = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=SEOUL)
    audit.record_access(staff=handler, ip=None, action="view", members=[member], now=made)
    with time_machine.travel(datetime.datetime(2028, 1, 15, 23, 59, tzinfo=SEOUL), tick=False):
        purge_expired()
    assert AccessRecord.objects.filter(member=member).count() == 1
    with time_machine.travel(datetime.datetime(2028, 1, 16, 0, 0, tzinfo=SEOUL), tick=False):
        purge_expired()
    assert AccessRecord.objects.filter(member=member).count() == 0
