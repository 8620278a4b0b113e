"""A member's support desk: ask, read the answer, reply, resolve, reopen, rate (policy §2)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Product
from support import services
from support.models import Attachment, Inquiry, Message, StatusChange
from tests.support.conftest import PDF, PNG, detail, inquiry_form, upload

pytestmark = pytest.mark.policy("2 가")

LIST, NEW = reverse("support:list"), reverse("support:new")


def test_a_new_inquiry_gets_a_number_and_leads_to_its_page(logged_in_client, member):
    response = logged_in_client.post(NEW, inquiry_form(member))
    inquiry = Inquiry.objects.get(member=member)
    year = timezone.localtime().year
    assert re.fullmatch(rf"NX-{year}-\d{{6}}", inquiry.number)
    assert response.status_code == 302 and response["Location"] == detail(inquiry)
    assert inquiry.status == Inquiry.Status.RECEIVED and inquiry.channel == "web"
    (message,) = inquiry.messages.all()
    assert message.kind == Message.Kind.MEMBER and "nightly batch" in message.body
    assert StatusChange.objects.filter(inquiry=inquiry, new_status="received").exists()


def test_numbers_count_up_within_the_year(open_inquiry):
    first, second = open_inquiry(), open_inquiry(title="Second")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_the_form_offers_the_members_product_first(logged_in_client, member):
    form = logged_in_client.get(NEW).context["form"]
    assert form.initial["product"] == member.product.slug
    categories = {value for value, _label in form.fields["category"].choices}
    assert categories == {"question", "defect", "request", "complaint"}


def test_sending_the_same_form_twice_makes_one_inquiry(logged_in_client, member):
    data = inquiry_form(member)
    first = logged_in_client.post(NEW, data)
    second = logged_in_client.post(NEW, data)
    assert Inquiry.objects.filter(member=member).count() == 1
    assert first["Location"] == second["Location"]


def test_an_inquiry_with_two_attachments_stores_both(logged_in_client, member):
    data = inquiry_form(member, attachments=[upload("screen.png", PNG), upload("log.pdf", PDF)])
    logged_in_client.post(NEW, data)
    names = set(Attachment.objects.values_list("name", "content_type"))
    assert names == {("screen.png", "image/png"), ("log.pdf", "application/pdf")}


def test_my_inquiries_newest_activity_first_with_an_unread_marker(
    logged_in_client, open_inquiry, make_staff
):
    older, newer = open_inquiry(title="Older one"), open_inquiry(title="Newer one")
    services.staff_reply(inquiry=older, staff=make_staff(username="agent01"), body="Fixed in 3.2.")
    page = logged_in_client.get(LIST)
    inquiries = list(page.context["page"].object_list)
    assert inquiries == [Inquiry.objects.get(pk=older.pk), Inquiry.objects.get(pk=newer.pk)]
    assert [inquiry.unread for inquiry in inquiries] == [True, False]
    html = page.content.decode()
    assert "새 답변" in html


def test_the_list_is_paginated(logged_in_client, open_inquiry):
    for n in range(23):
        open_inquiry(title=f"Inquiry {n}")
    response = logged_in_client.get(LIST)
    first = response.context["page"]
    assert len(first.object_list) == 20 and first.paginator.num_pages == 2
    assert '<a href="?page=2">' in response.content.decode()
    second = logged_in_client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 3
    assert '<a href="?page=1">' in second.content.decode()


def test_an_answer_shows_as_a_count_in_the_header_until_read(
    logged_in_client, open_inquiry, make_staff
):
    inquiry = open_inquiry()
    services.staff_reply(inquiry=inquiry, staff=make_staff(username="agent01"), body="Try 3.2.")
    home = logged_in_client.get("/")
    assert home.context["unread_answers"] == 1
    assert "답변 1건" in home.content.decode()
    logged_in_client.get(detail(inquiry))
    assert logged_in_client.get("/").context["unread_answers"] == 0


def test_the_thread_shows_answers_but_never_internal_notes(
    logged_in_client, open_inquiry, make_staff
):
    inquiry = open_inquiry()
    agent = make_staff(username="agent01")
    services.staff_reply(inquiry=inquiry, staff=agent, body="Please upgrade to 3.2.")
    services.staff_reply(inquiry=inquiry, staff=agent, body="Customer seems upset", internal=True)
    html = logged_in_client.get(detail(inquiry)).content.decode()
    assert "Please upgrade to 3.2." in html
    assert "Customer seems upset" not in html


def test_a_reply_goes_into_the_thread_and_back_to_the_engineers(
    logged_in_client, open_inquiry, make_staff
):
    inquiry = open_inquiry()
    services.staff_reply(inquiry=inquiry, staff=make_staff(username="agent01"), body="Which OS?")
    response = logged_in_client.post(
        detail(inquiry),
        {
            "action": "reply",
            "reply-body": "Debian 12.",
            "reply-attachments": [upload("a.txt", b"x")],
        },
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.IN_PROGRESS
    assert inquiry.messages.last().body == "Debian 12."
    assert inquiry.attachments.get().name == "a.txt"


def test_the_member_resolves_then_reopens_within_fourteen_days(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    resolve_button = 'name="action" value="resolve"'
    assert resolve_button in logged_in_client.get(detail(inquiry)).content.decode()
    logged_in_client.post(detail(inquiry), {"action": "resolve"})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RESOLVED and inquiry.resolved_at
    assert resolve_button not in logged_in_client.get(detail(inquiry)).content.decode()
    with time_machine.travel(inquiry.resolved_at + datetime.timedelta(days=14), tick=False):
        logged_in_client.force_login(inquiry.member)
        logged_in_client.post(detail(inquiry), {"action": "reopen"})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.IN_PROGRESS and inquiry.resolved_at is None


def test_after_fourteen_days_a_resolved_inquiry_cannot_be_reopened(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    services.resolve(inquiry=inquiry, by=inquiry.member)
    inquiry.refresh_from_db()
    later = inquiry.resolved_at + datetime.timedelta(days=14, seconds=1)
    with time_machine.travel(later, tick=False):
        logged_in_client.force_login(inquiry.member)
        response = logged_in_client.post(detail(inquiry), {"action": "reopen"}, follow=True)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RESOLVED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_resolved_inquiry_is_rated_once(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    services.resolve(inquiry=inquiry, by=inquiry.member)
    form = {"action": "rate", "rating-rating": "5", "rating-comment": "Quick and right."}
    logged_in_client.post(detail(inquiry), form)
    logged_in_client.post(detail(inquiry), {**form, "rating-rating": "1"})
    inquiry.refresh_from_db()
    assert (inquiry.rating, inquiry.rating_comment) == (5, "Quick and right.")


def test_an_open_inquiry_cannot_be_rated(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    logged_in_client.post(detail(inquiry), {"action": "rate", "rating-rating": "4"})
    inquiry.refresh_from_db()
    assert inquiry.rating is None


def test_a_closed_inquiry_takes_no_reply_and_offers_a_follow_up(
    logged_in_client, open_inquiry, make_staff
):
    inquiry = open_inquiry()
    services.update_by_staff(inquiry=inquiry, staff=make_staff(username="agent01"), status="closed")
    page = logged_in_client.get(detail(inquiry)).content.decode()
    follow_up = f"{NEW}?follow_up={inquiry.number}"
    assert follow_up in page and 'name="reply-body"' not in page
    logged_in_client.post(detail(inquiry), {"action": "reply", "reply-body": "One more thing"})
    assert inquiry.messages.count() == 1
    data = inquiry_form(inquiry.member, title="Follow-up")
    response = logged_in_client.post(follow_up, data)
    new = Inquiry.objects.get(title="Follow-up")
    assert new.follow_up_of == inquiry and response.status_code == 302


def test_staff_accounts_have_no_member_support_pages(client, make_staff):
    client.force_login(make_staff(username="agent01"))
    assert client.get(LIST).status_code == 404


def test_support_pages_need_a_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_product_withdrawn_from_the_catalog_stays_offered_to_its_users(logged_in_client, member):
    Product.objects.filter(pk=member.product_id).update(active=False)
    response = logged_in_client.post(NEW, inquiry_form(member))
    assert response.status_code == 302
