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
from retention.registry import category
from retention.services.archiving import archive_closed_accounts
from retention.services.purge import purge_expired
from staff.models import AccessRecord, AccessReviewSignOff
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.services import audit
from staff.services.review import sign_off_review

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=["default", "archive"])]


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


@pytest.mark.law("고시 제8조")
def test_review_sign_offs_are_kept_and_destroyed_with_the_access_records(make_staff):
    officer = make_staff(username="officer01", role=PRIVACY_OFFICER)
    signed = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=SEOUL)
    sign_off_review(month=datetime.date(2026, 3, 1), officer=officer, now=signed)
    staff_access = {source.model for source in category("staff_access").sources}
    assert {"staff.accessrecord", "staff.accessreviewsignoff"} <= staff_access
    with time_machine.travel(datetime.datetime(2028, 4, 2, 23, 59, tzinfo=SEOUL), tick=False):
        purge_expired()
    assert AccessReviewSignOff.objects.count() == 1
    with time_machine.travel(datetime.datetime(2028, 4, 3, 0, 0, tzinfo=SEOUL), tick=False):
        purge_expired()
    assert not AccessReviewSignOff.objects.exists()
