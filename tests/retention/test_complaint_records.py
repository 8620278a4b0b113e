"""Complaint records (policy §5 "소비자의 불만 또는 분쟁처리에 관한 기록", 3 years): privacy
requests and complaint inquiries are destroyed three years after their resolution, never while
open, and the my-data page dates them as the purge destroys them."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accounts import hooks
from accounts import services as accounts_services
from privacy.models import PrivacyRequest
from privacy.services import record_request, resolve_request
from retention.models import ArchivedRecord
from support import services as support_services
from support.models import Inquiry, Message
from tests.retention.conftest import BOTH, purge, seoul

pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=BOTH)]


def complaint_due(member) -> datetime.datetime | None:
    (entry,) = [e for e in hooks.member_retention(member).schedule if e.category.key == "complaint"]
    return entry.next_deletion


def test_an_open_request_five_years_old_is_not_destroyed(member):
    with time_machine.travel(seoul(2021, 1, 10, 9), tick=False):
        request = record_request(member=member, kind="deletion", channel="letter")
    purge(at=seoul(2026, 1, 11, 9))
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()
    assert complaint_due(member) is None


def test_a_request_resolved_three_years_and_a_day_ago_is_destroyed(member):
    with time_machine.travel(seoul(2021, 1, 10, 9), tick=False):
        request = record_request(member=member, kind="access", channel="letter")
    with time_machine.travel(seoul(2023, 3, 1, 10), tick=False):
        resolve_request(request=request, resolution="Refused: a dispute.", refused=True)
    assert complaint_due(member) == seoul(2026, 3, 2)
    purge(at=seoul(2026, 3, 1, 23, 59))
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()
    purge(at=seoul(2026, 3, 2, 10))
    assert not PrivacyRequest.objects.filter(pk=request.pk).exists()


def test_an_open_complaint_five_years_old_is_not_destroyed(member):
    with time_machine.travel(seoul(2021, 1, 10, 9), tick=False):
        inquiry = support_services.open_inquiry(
            member=member, product=member.product, category=Inquiry.Category.COMPLAINT,
            title="Invoice dispute", body="The invoice is wrong.",
        )  # fmt: skip
    purge(at=seoul(2026, 1, 11, 9))
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    assert Message.objects.filter(inquiry=inquiry).exists()
    assert complaint_due(member) is None


@pytest.mark.law("PIPA §38")
def test_a_refusal_destroyed_before_its_objection_leaves_the_objection_whole(member):
    with time_machine.travel(seoul(2023, 3, 1, 10), tick=False):
        refusal = resolve_request(
            request=record_request(member=member, kind="deletion", channel="web"),
            resolution="Kept: a dispute.",
            refused=True,
        )
    with time_machine.travel(seoul(2023, 5, 1, 10), tick=False):
        objection = record_request(
            member=member, kind="objection", channel="web", details="Which dispute?",
            objects_to=refusal,
        )  # fmt: skip
        resolve_request(request=objection, resolution="Case 2023-7, still open.")
    purge(at=seoul(2026, 3, 2, 10))
    assert not PrivacyRequest.objects.filter(pk=refusal.pk).exists()
    objection.refresh_from_db()
    assert objection.objects_to is None and objection.details == "Which dispute?"
    assert complaint_due(member) == seoul(2026, 5, 2)


@pytest.mark.policy("6 가")
def test_a_withdrawn_members_refusal_and_objection_move_to_the_archive_together(member):
    with time_machine.travel(seoul(2026, 3, 1, 10), tick=False):
        refusal = resolve_request(
            request=record_request(member=member, kind="deletion", channel="web"),
            resolution="Kept: a dispute.",
            refused=True,
        )
        objection = record_request(
            member=member, kind="objection", channel="web", objects_to=refusal
        )
        resolve_request(request=objection, resolution="Case 2026-7.")
        accounts_services.close_account(member=member)
    assert "archive archived=1" in " ".join(purge(at=seoul(2026, 3, 2, 3, 15)))
    assert not PrivacyRequest.objects.exists()
    archived = ArchivedRecord.objects.filter(category="complaint", source_key__startswith="privacy")
    assert {record.data["objects_to_id"] for record in archived} == {None, refusal.pk}
