"""Members' requests under policy §7: deadlines, and the restriction of an open correction."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from privacy.models import PrivacyRequest
from privacy.selectors import is_restricted, overdue_requests
from privacy.services import record_request, resolve_request
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.selectors.dashboard import members_by_product
from staff.services import members as staff_actions

SEOUL = ZoneInfo("Asia/Seoul")
RECEIVED = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.policy("7")


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


def test_editing_a_request_in_admin_keeps_its_dates_true(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    request = record_request(
        member=member, kind="correction", channel="letter", received_at=RECEIVED
    )
    url = reverse("admin:privacy_privacyrequest_change", args=[request.pk])
    edit = {
        "kind": "correction",
        "channel": "letter",
        "received_at_0": "2026-04-02",
        "received_at_1": "09:00:00",
        "status": "resolved",
        "resolution": "Corrected the project name.",
    }
    resolved_at = RECEIVED + datetime.timedelta(days=3)
    with time_machine.travel(resolved_at, tick=False):
        assert client.post(url, edit)["Location"].endswith(
            reverse("admin:privacy_privacyrequest_changelist")
        )
    request.refresh_from_db()
    assert request.due_at == RECEIVED + datetime.timedelta(days=11)
    assert request.resolved_at == resolved_at
    with time_machine.travel(resolved_at + datetime.timedelta(hours=1), tick=False):
        assert client.post(url, {**edit, "status": "open"})["Location"].endswith(
            reverse("admin:privacy_privacyrequest_changelist")
        )
    request.refresh_from_db()
    assert request.resolved_at is None


def test_an_open_correction_restricts_the_member_until_resolved(member, make_staff):
    other_kinds = record_request(member=member, kind="access", channel="web")
    assert not is_restricted(member)
    correction = record_request(member=member, kind="correction", channel="letter")
    assert is_restricted(member)
    resolve_request(request=correction, resolution="Company name corrected")
    assert not is_restricted(member)
    assert other_kinds.is_open


def test_a_restricted_member_is_left_out_of_staff_exports_and_statistics(
    member, make_member, make_staff
):
    other = make_member(username="other01")
    record_request(member=member, kind="correction", channel="letter")
    handler = make_staff(role=PRIVACY_HANDLER)
    from accounts.models import User

    csv = staff_actions.export_members(
        members=User.objects.filter(pk__in=[member.pk, other.pk]), staff=handler, ip=None
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
