"""고시 제8조: a staff download of personal data asks for a reason first, kept on its records."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import ngettext

from accounts import services as accounts_services
from accounts.models import User
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, SUPPORT_AGENT
from staff.services import audit
from staff.services import members as members_service
from staff.validators import DOWNLOAD_REASON_MIN_LENGTH
from tests.staff.downloads import REASON, export_form

pytestmark = pytest.mark.law("고시 제8조")

TOO_SHORT = "audit"


def exports():
    return AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT)


def too_short_message():
    return ngettext(
        "Give the reason for this download in at least %(limit)d character.",
        "Give the reason for this download in at least %(limit)d characters.",
        DOWNLOAD_REASON_MIN_LENGTH,
    ) % {"limit": DOWNLOAD_REASON_MIN_LENGTH}


def is_file(response) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment")


@pytest.fixture
def two_members(make_member):
    return [make_member(username="first01"), make_member(username="second01")]


# --- The member list's CSV export ----------------------------------------------------------------


def test_choosing_the_export_shows_the_reason_page_carrying_the_selection(
    client, login_as, two_members
):
    login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_changelist"), export_form(two_members, reason=None)
    )
    assert response.status_code == 200 and not is_file(response)
    assert response.templates[0].name == "admin/accounts/user/download_reason.html"
    page = response.content.decode()
    for member in two_members:
        assert f'name="_selected_action" value="{member.pk}"' in page
    assert 'name="action" value="export_csv"' in page and 'name="post" value="yes"' in page
    assert "first01" not in page  # the selection is counted, not shown
    assert not AccessRecord.objects.exists()


def test_an_export_without_a_reason_gives_no_file_and_leaves_no_record(
    client, login_as, two_members
):
    login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_changelist"), export_form(two_members, reason="   ")
    )
    assert response.status_code == 200 and not is_file(response)
    assert response.context["form"].has_error("reason", "required")
    assert not AccessRecord.objects.exists()


def test_a_too_short_reason_is_refused_with_a_translated_error(client, login_as, two_members):
    login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_changelist"), export_form(two_members, reason=TOO_SHORT)
    )
    assert response.status_code == 200 and not is_file(response)
    assert response.context["form"].errors["reason"] == [too_short_message()]
    assert too_short_message() in response.content.decode()
    assert not AccessRecord.objects.exists()


def test_with_a_reason_the_file_comes_with_records_carrying_the_reason(
    client, login_as, two_members
):
    handler = login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        export_form(two_members, reason=f"  {REASON}  "),
    )
    assert is_file(response) and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["username"] for row in rows] == ["first01", "second01"]
    records = list(exports())
    assert {record.member_id for record in records} == {member.pk for member in two_members}
    assert {(record.reason, record.staff_username) for record in records} == {
        (REASON, handler.username)
    }
    assert not AccessRecord.objects.exclude(action=AccessRecord.Action.EXPORT).exists()


def test_a_selection_of_every_page_is_carried_over_with_the_lists_filter(
    client, login_as, make_member
):
    ticked = make_member(username="active01")
    make_member(username="active02")
    suspended = make_member(username="suspended01")
    suspended.is_active = False
    suspended.save(update_fields=["is_active"])
    login_as(role=PRIVACY_HANDLER)
    url = f"{reverse('admin:accounts_user_changelist')}?is_active__exact=1"
    every_page = {"select_across": "1"}
    page = client.post(url, {**export_form([ticked], reason=None), **every_page})
    assert 'name="select_across" value="1"' in page.content.decode()
    response = client.post(url, {**export_form([ticked]), **every_page})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["username"] for row in rows] == ["active01", "active02"]


def test_the_records_are_written_in_the_transaction_that_builds_the_file(
    monkeypatch, two_members, make_staff
):
    handler = make_staff(role=PRIVACY_HANDLER)
    record_access = audit.record_access

    def record_then_fail(**kwargs):
        record_access(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "record_access", record_then_fail)
    with pytest.raises(RuntimeError):
        members_service.export_members(
            members=User.objects.all(), staff=handler, ip=None, reason=REASON
        )
    assert not AccessRecord.objects.exists()


def test_the_service_itself_refuses_a_short_reason(two_members, make_staff):
    handler = make_staff(role=PRIVACY_HANDLER)
    with pytest.raises(ValidationError) as refused:
        members_service.export_members(
            members=User.objects.all(), staff=handler, ip=None, reason=TOO_SHORT
        )
    assert refused.value.code == "reason_too_short"
    assert not AccessRecord.objects.exists()


# --- One member's data, exported by staff (policy §7 열람, answered for the member) ------------


def export_url(member):
    return reverse("admin:accounts_user_export", args=[member.pk])


def test_opening_the_member_data_download_gives_the_reason_form_not_the_file(
    client, login_as, member
):
    login_as(role=PRIVACY_HANDLER)
    response = client.get(export_url(member))
    assert response.status_code == 200 and not is_file(response)
    assert "reason" in response.context["form"].fields
    assert not AccessRecord.objects.exists()


def test_the_member_data_download_refuses_a_missing_or_short_reason(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    for reason in ("", TOO_SHORT):
        response = client.post(export_url(member), {"reason": reason, "post": "yes"})
        assert response.status_code == 200 and not is_file(response)
        assert response.context["form"].errors["reason"]
    assert too_short_message() in response.content.decode()
    assert not AccessRecord.objects.exists()


def test_the_member_data_download_with_a_reason_is_the_members_export_and_recorded(
    client, login_as, member
):
    handler = login_as(role=PRIVACY_HANDLER)
    response = client.post(export_url(member), {"reason": REASON, "post": "yes"})
    assert is_file(response) and response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["profile"]["username"] == member.username
    assert {"consents", "visit_records", "retention"} <= set(data)
    record = exports().get()
    assert (record.member, record.staff, record.reason) == (member, handler, REASON)
    assert record.target == audit.MEMBER_TARGET
    assert record.detail == members_service.MEMBER_DATA_DETAIL


def test_the_members_page_links_to_the_download_for_handlers_only(client, login_as, member):
    link = export_url(member)
    login_as(role=PRIVACY_HANDLER)
    assert (
        link in client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    )
    login_as(role=SUPPORT_AGENT)
    assert (
        link
        not in client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    )


def test_an_agent_cannot_download_a_members_data(client, login_as, member):
    login_as(role=SUPPORT_AGENT)
    response = client.post(export_url(member), {"reason": REASON, "post": "yes"})
    assert response.status_code == 403
    assert not exports().exists()


@pytest.mark.policy("7")
def test_a_withdrawn_members_data_is_not_downloaded(client, login_as, member):
    accounts_services.close_account(member=member)
    login_as(role=PRIVACY_HANDLER)
    response = client.post(export_url(member), {"reason": REASON, "post": "yes"})
    assert response.status_code == 403
    assert not exports().exists()
