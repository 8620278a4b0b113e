"""Members' requests under policy §7: deadlines, and the restriction of an open correction."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from privacy import services as privacy_services
from privacy.models import PrivacyRequest
from privacy.selectors import overdue_requests, restricted_member_ids
from privacy.services import record_request, resolve_request
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.selectors.dashboard import members_by_product
from staff.services import members as staff_actions

SEOUL = ZoneInfo("Asia/Seoul")
RECEIVED = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.policy("7")


def restricted(member) -> bool:
    return restricted_member_ids().filter(member_id=member.pk).exists()


def test_a_request_is_due_ten_days_after_receipt(member):
    request = record_request(member=member, kind="access", channel="phone", received_at=RECEIVED)
    assert request.due_at == RECEIVED + datetime.timedelta(days=10)
    assert not request.is_overdue(now=RECEIVED + datetime.timedelta(days=10))
    assert request.is_overdue(now=RECEIVED + datetime.timedelta(days=10, seconds=1))


def test_the_deadline_follows_the_setting(member, settings):
    settings.PRIVACY_REQUEST_DAYS = 3
    request = record_request(member=member, kind="access", channel="letter", received_at=RECEIVED)
    assert request.due_at == RECEIVED + datetime.timedelta(days=3)


def test_overdue_requests_stand_out_in_the_admin_list(client, login_as, make_member):
    late = record_request(
        member=make_member(username="late01"), kind="deletion", channel="email",
        received_at=RECEIVED,
    )  # fmt: skip
    later = RECEIVED + datetime.timedelta(days=11)
    fresh = record_request(
        member=make_member(username="fresh01"), kind="access", channel="web", received_at=later
    )
    login_as(role=PRIVACY_OFFICER)
    with time_machine.travel(later, tick=False):
        assert list(overdue_requests()) == [late]
        page = client.get(reverse("admin:privacy_privacyrequest_changelist"))
        assert page.content.decode().count('<strong class="errornote">') == 1
        changelist = reverse("admin:privacy_privacyrequest_changelist")
        filtered = client.get(changelist, {"deadline": "overdue"})
        assert list(filtered.context["cl"].result_list) == [late]
        not_yet_due = client.get(changelist, {"deadline": "open"})
        assert list(not_yet_due.context["cl"].result_list) == [fresh]


def test_the_officer_records_a_request_by_member_id(client, login_as, member):
    officer = login_as(role=PRIVACY_OFFICER)
    with time_machine.travel(RECEIVED, tick=False):
        response = client.post(
            reverse("admin:privacy_privacyrequest_add"),
            {
                "member": member.username.upper(),
                "kind": "correction",
                "channel": "letter",
                "received_at_0": "2026-04-01",
                "received_at_1": "09:00:00",
                "status": "open",
                "resolution": "",
            },
        )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert request.member == member and request.recorded_by == officer
    assert request.due_at == RECEIVED + datetime.timedelta(days=10)


def answer(client, request, *, status, resolution):
    url = reverse("admin:privacy_privacyrequest_change", args=[request.pk])
    return client.post(url, {"status": status, "resolution": resolution})


def test_answering_in_admin_goes_through_the_service_and_dates_the_answer(client, login_as, member):
    officer = login_as(role=PRIVACY_OFFICER)
    request = record_request(
        member=member, kind="correction", channel="letter", received_at=RECEIVED
    )
    answered_at = RECEIVED + datetime.timedelta(days=3)
    with time_machine.travel(answered_at, tick=False):
        response = answer(client, request, status="resolved", resolution="Project renamed.")
    assert response["Location"].endswith(reverse("admin:privacy_privacyrequest_changelist"))
    request.refresh_from_db()
    assert request.resolved_at == answered_at and request.resolution == "Project renamed."
    assert not restricted(member)
    with time_machine.travel(answered_at + datetime.timedelta(hours=1), tick=False):
        answer(client, request, status="open", resolution="Project renamed.")
    request.refresh_from_db()
    assert request.is_open and request.resolved_at is None
    assert request.due_at == RECEIVED + datetime.timedelta(days=10)
    assert (
        list(
            AccessRecord.objects.filter(target="privacy.privacyrequest", staff=officer)
            .exclude(action=AccessRecord.Action.VIEW)
            .values_list("action", "member")
        )
        == [(AccessRecord.Action.CHANGE, member.pk)] * 2
    )


def test_what_was_received_stays_as_recorded(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    request = record_request(
        member=member, kind="correction", channel="letter", received_at=RECEIVED
    )
    url = reverse("admin:privacy_privacyrequest_change", args=[request.pk])
    client.post(
        url,
        {
            "kind": "access", "channel": "web", "received_at_0": "2026-04-09",
            "received_at_1": "09:00:00", "status": "open", "resolution": "",
        },
    )  # fmt: skip
    request.refresh_from_db()
    assert (request.kind, request.channel, request.received_at) == (
        "correction", "letter", RECEIVED,
    )  # fmt: skip


@pytest.mark.law("시행령 §42")
def test_a_refusal_without_reasons_is_refused_in_admin_on_the_field(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    request = record_request(member=member, kind="deletion", channel="letter")
    response = answer(client, request, status="refused", resolution="  ")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["resolution"]] == ["reasons_required"]
    request.refresh_from_db()
    assert request.is_open


def test_a_draft_answer_to_an_open_request_is_not_saved(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    request = record_request(member=member, kind="deletion", channel="letter")
    response = answer(client, request, status="open", resolution="Half done.")
    assert response.status_code == 200 and "resolution" in response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.resolution == ""


def test_reopening_beside_another_open_request_of_its_kind_is_refused_in_admin(
    client, login_as, member
):
    login_as(role=PRIVACY_OFFICER)
    first = record_request(member=member, kind="access", channel="letter")
    resolve_request(request=first, resolution="Sent by post.")
    record_request(member=member, kind="access", channel="phone")
    response = answer(client, first, status="open", resolution="Sent by post.")
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
    first.refresh_from_db()
    assert first.status == "resolved"


def add(client, member_id, **fields):
    return client.post(
        reverse("admin:privacy_privacyrequest_add"),
        {
            "member": member_id, "channel": "letter", "received_at_0": "2026-04-01",
            "received_at_1": "09:00:00", "details": "", "objects_to": "", **fields,
        },
    )  # fmt: skip


def test_adding_a_second_open_request_of_a_kind_is_refused_in_admin(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    record_request(member=member, kind="suspension", channel="web")
    response = add(client, member.username, kind="suspension")
    assert response.status_code == 200 and "kind" in response.context["adminform"].form.errors
    assert PrivacyRequest.objects.count() == 1


@pytest.mark.law("PIPA §38")
def test_the_officer_records_an_objection_by_letter_to_the_members_own_refusal(
    client, login_as, member, make_member
):
    officer = login_as(role=PRIVACY_OFFICER)
    with time_machine.travel(RECEIVED - datetime.timedelta(days=5), tick=False):
        refusal = resolve_request(
            request=record_request(member=member, kind="deletion", channel="web"),
            resolution="A dispute is under way.",
            refused=True,
        )
    other = make_member(username="other01")
    refused_for_other = resolve_request(
        request=record_request(member=other, kind="deletion", channel="web"),
        resolution="A dispute is under way.",
        refused=True,
    )
    with time_machine.travel(RECEIVED, tick=False):
        wrong = add(client, member.username, kind="objection", objects_to=refused_for_other.pk)
        assert "objects_to" in wrong.context["adminform"].form.errors
        response = add(client, member.username, kind="objection", objects_to=refusal.pk)
    assert response.status_code == 302
    objection = PrivacyRequest.objects.get(kind="objection")
    assert objection.objects_to == refusal and objection.recorded_by == officer
    assert objection.due_at == RECEIVED + datetime.timedelta(days=10)
    assert AccessRecord.objects.filter(
        action=AccessRecord.Action.ADD, target="privacy.privacyrequest", member=member
    ).exists()


def test_an_open_correction_restricts_the_member_until_resolved(member, make_staff):
    other_kinds = record_request(member=member, kind="access", channel="web")
    assert not restricted(member)
    correction = record_request(member=member, kind="correction", channel="letter")
    assert restricted(member)
    resolve_request(request=correction, resolution="Company name corrected")
    assert not restricted(member)
    assert other_kinds.is_open


def test_a_restricted_member_is_left_out_of_staff_exports_and_statistics(
    member, make_member, make_staff
):
    other = make_member(username="other01")
    record_request(member=member, kind="correction", channel="letter")
    handler = make_staff(role=PRIVACY_HANDLER)
    from accounts.models import User

    csv = staff_actions.export_members(
        members=User.objects.filter(pk__in=[member.pk, other.pk]),
        staff=handler,
        ip=None,
        reason="Yearly check of the member list",
    )
    assert "other01" in csv and member.username not in csv
    assert sum(count for _name, count in members_by_product()) == 1


def test_a_restricted_members_page_warns_the_handler(client, login_as, member):
    record_request(member=member, kind="correction", channel="letter")
    login_as(role=PRIVACY_HANDLER)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert [message.level_tag for message in page.context["messages"]] == ["warning"]


def test_the_members_own_export_stays_complete_while_restricted(reauthed_client, member):
    record_request(member=member, kind="correction", channel="letter")
    data = reauthed_client.get(reverse("accounts:export")).json()
    assert data["profile"]["username"] == member.username


def test_a_request_recorded_elsewhere_meanwhile_is_a_message_not_a_500(
    client, login_as, member, monkeypatch
):
    login_as(role=PRIVACY_OFFICER)
    record_request(member=member, kind="deletion", channel="web")
    # The form's check ran before the other request was saved: only the database sees it.
    monkeypatch.setattr(privacy_services, "check_request", lambda **kwargs: None)
    response = add(client, member.username, kind="deletion")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:privacy_privacyrequest_add")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert PrivacyRequest.objects.count() == 1
