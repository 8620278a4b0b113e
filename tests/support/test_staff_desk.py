"""The staff's desk in admin: queue, answers and notes, status, complaints, entries by phone."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from support import services
from support.hours import add_working_hours
from support.models import CannedReply, Inquiry, Message, StatusChange
from tests.support.conftest import PNG, checked, seoul, upload

pytestmark = pytest.mark.policy("9 다")

QUEUE = reverse("admin:support_inquiry_changelist")


def change(inquiry) -> str:
    return reverse("admin:support_inquiry_change", args=[inquiry.pk])


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER, PRIVACY_OFFICER])
def test_the_roles_that_talk_to_members_open_the_queue(client, login_as, open_inquiry, role):
    open_inquiry()
    login_as(role=role)
    assert client.get(QUEUE).status_code == 200


def test_opening_an_inquiry_writes_an_access_record(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    agent = login_as(role=SUPPORT_AGENT)
    assert client.get(change(inquiry)).status_code == 200
    assert AccessRecord.objects.filter(
        staff=agent, member=inquiry.member, action=AccessRecord.Action.VIEW
    ).exists()


def test_the_queue_names_every_member_it_shows_in_an_access_record(
    client, login_as, open_inquiry, make_member
):
    first, second = open_inquiry(), open_inquiry(owner=make_member(username="other01"))
    agent = login_as(role=SUPPORT_AGENT)
    assert client.get(QUEUE, {"status__exact": "received"}).status_code == 200
    listed = AccessRecord.objects.filter(staff=agent, action=AccessRecord.Action.LIST)
    assert set(listed.values_list("member", flat=True)) == {first.member_id, second.member_id}
    assert set(listed.values_list("target", "detail")) == {
        ("support.inquiry", "status__exact=received")
    }


def test_status_assignment_and_assign_to_me_each_write_an_access_record(
    client, login_as, open_inquiry
):
    updated, assigned = open_inquiry(title="Updated"), open_inquiry(title="Assigned")
    agent = login_as(role=SUPPORT_AGENT)
    client.post(
        reverse("admin:support_inquiry_update", args=[updated.pk]),
        {"update-status": "in_progress", "update-assignee": agent.pk},
    )
    client.post(QUEUE, {"action": "assign_to_me", "_selected_action": [assigned.pk]})
    assert Inquiry.objects.get(pk=assigned.pk).assignee == agent
    changes = AccessRecord.objects.filter(staff=agent, action=AccessRecord.Action.CHANGE)
    assert sorted(changes.values_list("detail", flat=True)) == [
        f"inquiry {updated.number} status=in_progress assignee={agent.username}",
        f"inquiry {assigned.number} assignee={agent.username}",
    ]
    assert AccessRecord.objects.filter(
        staff=agent, action=AccessRecord.Action.ADMIN_ACTION, member=assigned.member
    ).exists()


def test_the_queue_filters_mine_unassigned_and_overdue(client, login_as, open_inquiry):
    agent = login_as(role=SUPPORT_AGENT)
    mine, nobodys = open_inquiry(title="Mine"), open_inquiry(title="Nobody's")
    services.update_by_staff(inquiry=mine, staff=agent, assignee=agent)
    listed = client.get(QUEUE, {"assigned": "mine"}).context["cl"].result_list
    assert [inquiry.pk for inquiry in listed] == [mine.pk]
    listed = client.get(QUEUE, {"assigned": "nobody"}).context["cl"].result_list
    assert [inquiry.pk for inquiry in listed] == [nobodys.pk]
    Inquiry.objects.filter(pk=nobodys.pk).update(first_response_due_at=seoul(2020, 1, 1))
    listed = client.get(QUEUE, {"first_answer": "overdue"}).context["cl"].result_list
    assert [inquiry.pk for inquiry in listed] == [nobodys.pk]
    services.staff_reply(inquiry=mine, staff=agent, body="Looking into it.")
    listed = client.get(QUEUE, {"first_answer": "waiting"}).context["cl"].result_list
    assert [inquiry.pk for inquiry in listed] == [nobodys.pk]
    assert "OVERDUE" in client.get(QUEUE).content.decode() or "기한 초과" in (
        client.get(QUEUE).content.decode()
    )


def test_the_queue_is_searched_by_number_title_member_and_company(
    client, login_as, open_inquiry, make_member
):
    other = make_member(username="searchme", company="Findable Works")
    found = open_inquiry(owner=other, title="Unrelated")
    open_inquiry(title="Something else")
    login_as(role=SUPPORT_AGENT)
    for term in (found.number, "Unrelated", "searchme", "Findable"):
        listed = client.get(QUEUE, {"q": term}).context["cl"].result_list
        assert [inquiry.pk for inquiry in listed] == [found.pk], term


def test_an_answer_reaches_the_member_and_a_note_stays_internal(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    agent = login_as(role=SUPPORT_AGENT)
    reply = reverse("admin:support_inquiry_reply", args=[inquiry.pk])
    client.post(reply, {"reply-body": "Please upgrade to 3.2.", "reply-attachments": [
        upload("patch-notes.png", PNG)]})  # fmt: skip
    client.post(reply, {"reply-body": "Called the customer.", "reply-internal": "on"})
    kinds = list(inquiry.messages.values_list("kind", flat=True))
    assert kinds == [Message.Kind.MEMBER, Message.Kind.ANSWER, Message.Kind.NOTE]
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.WAITING and inquiry.first_response_at
    assert inquiry.unread
    assert inquiry.messages.get(kind="answer").attachments.get().name == "patch-notes.png"
    assert AccessRecord.objects.filter(staff=agent, action="change").count() == 2


def test_a_canned_reply_fills_an_empty_answer(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    canned = CannedReply.objects.create(title="Upgrade", body="Please upgrade to the latest.")
    login_as(role=SUPPORT_AGENT)
    client.post(
        reverse("admin:support_inquiry_reply", args=[inquiry.pk]), {"reply-canned": canned.pk}
    )
    assert inquiry.messages.get(kind="answer").body == "Please upgrade to the latest."


def test_every_status_change_is_kept_with_who_and_when(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    agent = login_as(role=SUPPORT_AGENT)
    update = reverse("admin:support_inquiry_update", args=[inquiry.pk])
    client.post(update, {"update-status": "in_progress", "update-assignee": agent.pk})
    client.post(update, {"update-status": "resolved", "update-assignee": agent.pk})
    changes = list(
        StatusChange.objects.filter(inquiry=inquiry).values_list(
            "old_status", "new_status", "changed_by", "by_staff"
        )
    )
    assert changes == [
        ("", "received", inquiry.member.pk, False),
        ("received", "in_progress", agent.pk, True),
        ("in_progress", "resolved", agent.pk, True),
    ]
    inquiry.refresh_from_db()
    assert inquiry.assignee == agent and inquiry.resolved_at


def test_staff_mark_a_complaint_which_then_stays_one(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    login_as(role=PRIVACY_HANDLER)
    update = reverse("admin:support_inquiry_update", args=[inquiry.pk])
    client.post(update, {"update-status": "received", "update-is_complaint": "on"})
    client.post(update, {"update-status": "received"})
    inquiry.refresh_from_db()
    assert inquiry.is_complaint


def test_a_member_filing_a_complaint_makes_a_complaint_record(open_inquiry):
    assert open_inquiry(category="complaint").is_complaint
    assert not open_inquiry(category="defect").is_complaint


def test_staff_enter_an_inquiry_received_by_phone(client, login_as, member):
    agent = login_as(role=SUPPORT_AGENT)
    response = client.post(
        reverse("admin:support_inquiry_enter"),
        {
            "member": member.username.upper(),
            "channel": "phone",
            "product": member.product.slug,
            "category": "defect",
            "title": "Server will not start",
            "body": "Caller says the server stops at boot.",
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert (inquiry.member, inquiry.channel, inquiry.entered_by) == (member, "phone", agent)
    assert AccessRecord.objects.filter(staff=agent, member=member, action="add").exists()


def test_an_entry_for_an_unknown_member_shows_the_form_again_with_the_error(client, login_as):
    login_as(role=SUPPORT_AGENT)
    enter = reverse("admin:support_inquiry_enter")
    assert 'name="member"' in client.get(enter).content.decode()
    response = client.post(
        enter,
        {
            "member": "nosuch01",
            "channel": "letter",
            "category": "defect",
            "title": "T",
            "body": "B",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("member", code="invalid_choice")
    assert 'class="form-row errors"' in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_role_without_the_desk_cannot_answer(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    login_as(superuser=False, username="nobody01")
    response = client.post(
        reverse("admin:support_inquiry_reply", args=[inquiry.pk]), {"reply-body": "Hi"}
    )
    assert response.status_code in (302, 403)
    assert inquiry.messages.count() == 1


def test_staff_download_an_attachment_with_an_access_record(client, login_as, open_inquiry):
    inquiry = open_inquiry(attachments=[checked("screen.png", PNG)])
    item = inquiry.attachments.get()
    agent = login_as(role=SUPPORT_AGENT)
    response = client.get(reverse("admin:support_inquiry_file", args=[inquiry.pk, item.pk]))
    assert response.status_code == 200 and response.content == PNG
    assert AccessRecord.objects.filter(staff=agent, detail__endswith="file").exists()


def test_first_answers_are_due_in_working_hours():
    # Friday 17:00 + 4 working hours: one hour on Friday, three on Monday from 09:00.
    assert add_working_hours(seoul(2026, 11, 27, 17, 0), 4) == seoul(2026, 11, 30, 12, 0)
    # Saturday night counts from Monday 09:00.
    assert add_working_hours(seoul(2026, 11, 28, 23, 0), 8) == seoul(2026, 11, 30, 17, 0)
    assert add_working_hours(seoul(2026, 11, 30, 9, 30), 16) == seoul(2026, 12, 1, 16, 30)


def test_the_due_time_follows_the_category(open_inquiry):
    with time_machine.travel(seoul(2026, 11, 30, 10, 0), tick=False):
        defect, request = open_inquiry(category="defect"), open_inquiry(category="request")
    assert defect.first_response_due_at == seoul(2026, 11, 30, 14, 0)
    # Monday 10:00 + 16 working hours: eight on Monday, eight on Tuesday.
    assert request.first_response_due_at == seoul(2026, 12, 1, 17, 0)


def test_the_dashboard_counts_the_desk_without_naming_anyone(client, login_as, open_inquiry):
    answered, late = open_inquiry(), open_inquiry(title="Late one")
    agent = login_as(role=SUPPORT_AGENT)
    services.staff_reply(inquiry=answered, staff=agent, body="Done.")
    services.resolve(inquiry=answered, by=answered.member)
    services.rate(inquiry=answered, rating=4)
    Inquiry.objects.filter(pk=late.pk).update(first_response_due_at=seoul(2020, 1, 1))
    page = client.get(reverse("staff_dashboard"))
    (panel,) = page.context["dashboard"].panels
    figures = dict(panel["rows"])
    assert 1 in figures.values()  # overdue
    assert any(str(value) == "4.0 / 5 (1)" for value in figures.values())
    assert late.title not in page.content.decode()
    assert answered.member.username not in page.content.decode()
