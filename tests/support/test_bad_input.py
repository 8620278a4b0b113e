"""Bad input at the desk gets a clear, translated message or a 404, never a 500, and nothing
is half stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from support import services
from support.models import Inquiry, Message
from tests.support.conftest import detail, inquiry_form

pytestmark = pytest.mark.policy("2 가")

NEW = reverse("support:new")


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"title": "x" * 201}, "title", "max_length"),
        ({"body": "x" * 20_001}, "body", "max_length"),
        ({"body": ""}, "body", "required"),
        ({"body": "   "}, "body", "required"),
        ({"product": "no-such-product"}, "product", "invalid_choice"),
        ({"category": "praise"}, "category", "invalid_choice"),
        ({"submission": "forged-token"}, "submission", "bad_submission"),
        ({"title": "bell\x07"}, "title", "unprintable"),
    ],
)
def test_bad_fields_get_a_message_and_store_nothing(
    logged_in_client, member, overrides, field, code
):
    response = logged_in_client.post(NEW, inquiry_form(member, **overrides))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code=code)
    assert not Inquiry.objects.exists()


def test_another_members_submission_token_is_refused(logged_in_client, member, make_member):
    other = make_member(username="other01")
    data = inquiry_form(member, submission=inquiry_form(other)["submission"])
    response = logged_in_client.post(NEW, data)
    assert response.context["form"].has_error("submission", code="bad_submission")


def test_html_and_script_are_shown_as_text_with_line_breaks_kept(logged_in_client, member):
    body = '<script>alert(1)</script>\n<a href="javascript:x">click</a>\nline three'
    response = logged_in_client.post(
        NEW, inquiry_form(member, title="<b>bold</b>", body=body), follow=True
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="javascript' not in html
    assert "<br>" in html


def test_only_web_links_are_made_clickable(logged_in_client, member):
    body = "Release notes: https://docs.example.com/3.2\nNot this: javascript:alert(1)"
    html = logged_in_client.post(NEW, inquiry_form(member, body=body), follow=True).content.decode()
    assert '<a href="https://docs.example.com/3.2" rel="nofollow">' in html
    assert 'href="javascript' not in html


def test_every_url_of_another_members_inquiry_is_404(client, open_inquiry, make_member):
    inquiry = open_inquiry()
    client.force_login(make_member(username="other01"))
    assert client.get(detail(inquiry)).status_code == 404
    for action in ("reply", "resolve", "reopen", "rate"):
        response = client.post(detail(inquiry), {"action": action, "reply-body": "x"})
        assert response.status_code == 404, action
    assert client.get(f"{NEW}?follow_up={inquiry.number}").status_code == 404
    assert inquiry.messages.count() == 1
    assert Inquiry.objects.get().status == Inquiry.Status.RECEIVED


def test_an_unknown_number_is_404(logged_in_client):
    assert (
        logged_in_client.get(reverse("support:detail", args=["NX-1999-000001"])).status_code == 404
    )


def test_an_unknown_action_is_400(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    assert logged_in_client.post(detail(inquiry), {"action": "delete"}).status_code == 400


def test_a_reply_to_a_closed_inquiry_changes_nothing(logged_in_client, open_inquiry, make_staff):
    inquiry = open_inquiry()
    services.update_by_staff(inquiry=inquiry, staff=make_staff(username="agent01"), status="closed")
    response = logged_in_client.post(
        detail(inquiry), {"action": "reply", "reply-body": "Hello?"}, follow=True
    )
    assert response.status_code == 200
    assert not Message.objects.filter(body="Hello?").exists()
    assert [message.level_tag for message in response.context["messages"]] == ["error"]


def test_an_empty_reply_is_an_error_not_a_message(logged_in_client, open_inquiry):
    inquiry = open_inquiry()
    response = logged_in_client.post(detail(inquiry), {"action": "reply", "reply-body": ""})
    assert response.status_code == 200
    assert response.context["reply_form"].has_error("body", code="required")
    assert inquiry.messages.count() == 1
