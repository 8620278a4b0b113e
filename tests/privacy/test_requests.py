"""Members' rights (policy §7, PIPA §35–38): every kind of request and its deadline, refusals
that give reasons, and objections to a refusal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from privacy import services
from privacy.models import PrivacyRequest
from privacy.selectors import member_requests, objectionable_requests
from privacy.services import record_request, reopen_request, resolve_request
from tests.privacy.conftest import seoul

RECEIVED = seoul(2026, 4, 1, 9)
Kind = PrivacyRequest.Kind


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def refused(member, *, kind=Kind.DELETION, at=RECEIVED) -> PrivacyRequest:
    with time_machine.travel(at, tick=False):
        request = record_request(member=member, kind=kind, channel="web", details="Delete it.")
        return resolve_request(
            request=request, resolution="Kept for a dispute under way.", refused=True
        )


@pytest.mark.law("시행령 §41")
@pytest.mark.parametrize("kind", [kind for kind in Kind.values if kind != Kind.OBJECTION])
def test_every_kind_is_due_ten_calendar_days_after_receipt(member, kind):
    with time_machine.travel(RECEIVED, tick=False):
        request = record_request(member=member, kind=kind, channel="web", details="Please.")
    assert request.due_at == RECEIVED + datetime.timedelta(days=10)
    with time_machine.travel(seoul(2026, 4, 11, 9), tick=False):
        assert not request.is_overdue()
    with time_machine.travel(seoul(2026, 4, 11, 9, 0, 1), tick=False):
        assert request.is_overdue()


@pytest.mark.law("PIPA §38")
def test_an_objection_is_due_ten_days_after_its_own_receipt(member):
    refusal = refused(member)
    with time_machine.travel(seoul(2026, 4, 20, 15), tick=False):
        objection = record_request(
            member=member, kind=Kind.OBJECTION, channel="web", details="No dispute exists.",
            objects_to=refusal,
        )  # fmt: skip
    assert objection.due_at == seoul(2026, 4, 30, 15)


@pytest.mark.law("시행령 §42")
@pytest.mark.parametrize("reasons", ["", "   \n "])
def test_a_refusal_without_reasons_is_refused(member, reasons):
    request = record_request(member=member, kind=Kind.ACCESS, channel="letter")
    with pytest.raises(ValidationError) as refusal:
        resolve_request(request=request, resolution=reasons, refused=True)
    assert codes(refusal.value) == {"resolution": ["reasons_required"]}
    request.refresh_from_db()
    assert request.is_open and request.resolved_at is None


@pytest.mark.policy("7")
def test_a_second_open_request_of_the_same_kind_is_refused_until_the_first_is_answered(member):
    first = record_request(member=member, kind=Kind.SUSPENSION, channel="web", details="Stop.")
    with pytest.raises(ValidationError) as twice:
        record_request(member=member, kind=Kind.SUSPENSION, channel="phone")
    assert codes(twice.value) == {"kind": ["already_open"]}
    record_request(member=member, kind=Kind.WITHDRAWAL, channel="web", details="Withdrawn.")
    resolve_request(request=first, resolution="Processing suspended.")
    again = record_request(member=member, kind=Kind.SUSPENSION, channel="web", details="Again.")
    assert again.is_open


@pytest.mark.policy("7")
def test_the_database_itself_refuses_a_second_open_request_of_a_kind(member):
    record_request(member=member, kind=Kind.ACCESS, channel="web")
    with pytest.raises(IntegrityError):
        PrivacyRequest.objects.create(
            member=member, kind=Kind.ACCESS, channel="web", due_at=RECEIVED
        )


@pytest.mark.policy("7")
@pytest.mark.parametrize(
    ("kind", "field", "code"),
    [(Kind.ACCESS, "kind", "already_open"), (Kind.OBJECTION, "objects_to", "already_objected")],
)
@time_machine.travel(seoul(2026, 4, 10), tick=False)
def test_a_request_losing_a_race_gets_the_same_error_as_one_checked_late(
    member, monkeypatch, kind, field, code
):
    # Two requests sent at once both pass the check before either is saved: what happens then
    # is what the constraint and the service make of the second insert.
    refusal = refused(member)
    objects_to = refusal if kind == Kind.OBJECTION else None
    record_request(member=member, kind=kind, channel="web", objects_to=objects_to)
    monkeypatch.setattr(services, "check_request", lambda **kwargs: None)
    with pytest.raises(ValidationError) as lost:
        record_request(member=member, kind=kind, channel="web", objects_to=objects_to)
    assert codes(lost.value) == {field: [code]}
    assert PrivacyRequest.objects.filter(kind=kind).count() == 1


@pytest.mark.policy("5 나")
def test_the_database_refuses_an_open_request_with_an_answer_time(member):
    with pytest.raises(IntegrityError):
        PrivacyRequest.objects.create(
            member=member, kind=Kind.ACCESS, channel="web", due_at=RECEIVED, resolved_at=RECEIVED
        )


@pytest.mark.law("PIPA §38")
def test_a_member_objects_to_their_own_refusal_within_ninety_days(member):
    refusal = refused(member)
    with time_machine.travel(refusal.resolved_at + datetime.timedelta(days=90), tick=False):
        assert list(objectionable_requests(member)) == [refusal]
        objection = record_request(
            member=member, kind=Kind.OBJECTION, channel="web", details="Which dispute?",
            objects_to=refusal,
        )  # fmt: skip
    assert objection.objects_to == refusal
    assert list(objectionable_requests(member)) == []


@pytest.mark.law("PIPA §38")
def test_an_objection_after_the_period_is_refused(member, settings):
    refusal = refused(member)
    late = refusal.resolved_at + datetime.timedelta(days=90, seconds=1)
    with time_machine.travel(late, tick=False):
        assert list(objectionable_requests(member)) == []
        with pytest.raises(ValidationError) as too_late:
            record_request(member=member, kind=Kind.OBJECTION, channel="web", objects_to=refusal)
    assert codes(too_late.value) == {"objects_to": ["too_late"]}
    settings.PRIVACY_OBJECTION_DAYS = 120
    with time_machine.travel(late, tick=False):
        assert list(objectionable_requests(member)) == [refusal]


@pytest.mark.law("PIPA §38")
def test_only_a_refusal_of_the_members_own_request_can_be_objected_to(member, make_member):
    other = make_member(username="other01")
    others_refusal = refused(other)
    answered = record_request(member=member, kind=Kind.ACCESS, channel="web")
    resolve_request(request=answered, resolution="A copy was sent.")
    still_open = record_request(member=member, kind=Kind.CORRECTION, channel="web")
    for target in (others_refusal, answered, still_open):
        with pytest.raises(ValidationError) as refusal:
            record_request(member=member, kind=Kind.OBJECTION, channel="web", objects_to=target)
        assert codes(refusal.value) == {"objects_to": ["not_refused"]}
    with pytest.raises(ValidationError) as unnamed:
        record_request(member=member, kind=Kind.OBJECTION, channel="web")
    assert codes(unnamed.value) == {"objects_to": ["required"]}
    assert not PrivacyRequest.objects.filter(kind=Kind.OBJECTION).exists()


@pytest.mark.law("PIPA §38")
@time_machine.travel(seoul(2026, 4, 10), tick=False)
def test_a_refusal_is_objected_to_once_and_a_refused_objection_not_at_all(member):
    refusal = refused(member)
    objection = record_request(
        member=member, kind=Kind.OBJECTION, channel="web", objects_to=refusal
    )
    with pytest.raises(ValidationError) as twice:
        record_request(member=member, kind=Kind.OBJECTION, channel="letter", objects_to=refusal)
    assert codes(twice.value) == {"objects_to": ["already_objected"]}
    resolve_request(request=objection, resolution="The dispute is case 2026-3.", refused=True)
    with pytest.raises(ValidationError) as again:
        record_request(member=member, kind=Kind.OBJECTION, channel="web", objects_to=objection)
    assert codes(again.value) == {"objects_to": ["objection"]}


@pytest.mark.law("PIPA §38")
@time_machine.travel(seoul(2026, 4, 10), tick=False)
def test_objections_to_two_refusals_may_be_open_together(member):
    first = refused(member, kind=Kind.DELETION)
    second = refused(member, kind=Kind.ACCESS)
    for refusal in (first, second):
        record_request(member=member, kind=Kind.OBJECTION, channel="web", objects_to=refusal)
    assert PrivacyRequest.objects.filter(kind=Kind.OBJECTION, status="open").count() == 2


@pytest.mark.policy("7")
@time_machine.travel(seoul(2026, 4, 10), tick=False)
def test_only_an_objection_names_a_refused_request(member):
    refusal = refused(member)
    with pytest.raises(ValidationError) as wrong:
        record_request(member=member, kind=Kind.ACCESS, channel="web", objects_to=refusal)
    assert codes(wrong.value) == {"objects_to": ["not_an_objection"]}


@pytest.mark.policy("5 나")
def test_an_edit_of_the_answer_keeps_its_time_and_a_new_outcome_restarts_it(member):
    request = record_request(member=member, kind=Kind.DELETION, channel="web")
    with time_machine.travel(seoul(2026, 4, 3), tick=False):
        resolve_request(request=request, resolution="Deleted.")
    with time_machine.travel(seoul(2026, 4, 4), tick=False):
        resolve_request(request=request, resolution="Deleted, and the backups too.")
    assert request.resolved_at == seoul(2026, 4, 3)
    with time_machine.travel(seoul(2026, 4, 5), tick=False):
        resolve_request(request=request, resolution="Kept: a dispute.", refused=True)
    assert request.resolved_at == seoul(2026, 4, 5)


@pytest.mark.policy("7")
def test_reopening_stops_the_clock_unless_another_of_its_kind_is_open(member):
    request = record_request(member=member, kind=Kind.ACCESS, channel="web")
    resolve_request(request=request, resolution="Sent.")
    reopen_request(request=request)
    request.refresh_from_db()
    assert request.is_open and request.resolved_at is None
    resolve_request(request=request, resolution="Sent again.")
    record_request(member=member, kind=Kind.ACCESS, channel="phone")
    with pytest.raises(ValidationError) as beside:
        reopen_request(request=request)
    assert codes(beside.value) == {"status": ["already_open"]}


@pytest.mark.policy("7")
def test_the_members_requests_say_which_refusals_can_still_be_objected_to(member):
    refusal = refused(member)
    answered = record_request(member=member, kind=Kind.ACCESS, channel="web")
    resolve_request(request=answered, resolution="Sent.")
    with time_machine.travel(seoul(2026, 5, 1), tick=False):
        rows = {row.pk: row.objectionable for row in member_requests(member)}
    assert rows == {refusal.pk: True, answered.pk: False}
    assert refusal.objection_deadline == refusal.resolved_at + datetime.timedelta(days=90)
    assert answered.objection_deadline is None
