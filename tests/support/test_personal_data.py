"""The desk keeps what the member wrote and nothing more (policy §1), and none of what they
wrote shows in an address or a log line: a URL names an inquiry by its number only."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import VisitRecord
from staff.roles import SUPPORT_AGENT
from support.forms import InquiryForm
from support.models import Attachment, Inquiry, Message, StatusChange
from tests.support.conftest import PDF, detail, inquiry_form, upload

NEW = reverse("support:new")
TITLE = "김민수 과장 급여 배치 오류"
BODY = "담당자 김민수, 010-9876-5432 로 연락 주세요."
FILE_NAME = "김민수_급여명세.pdf"
LINKS = re.compile(r'(?:href|action|src)="([^"]*)"')


def links(response) -> list[str]:
    return LINKS.findall(response.content.decode())


@pytest.mark.policy("1 가")
def test_the_inquiry_form_asks_only_what_the_contract_lists(member):
    assert list(InquiryForm(member=member).fields) == [
        "product", "category", "title", "body", "attachments", "submission",
    ]  # fmt: skip


@pytest.mark.policy("1 가")
def test_an_inquiry_keeps_no_address_and_no_field_beyond_the_form(logged_in_client, member):
    extra = {"email": "minsu@example.com", "phone": "010-1234-5678", "name": "김민수"}
    response = logged_in_client.post(NEW, inquiry_form(member, **extra), REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 302
    rows = repr(
        [
            list(model.objects.filter(member=member).values())
            for model in (Inquiry, Message, Attachment, StatusChange)
        ]
    )
    assert "Batch job stops at midnight" in rows, "the scan sees what the member wrote"
    for value in ("203.0.113.77", *extra.values()):
        assert value not in rows


@pytest.mark.policy("1 가", "9 나")
def test_no_url_and_no_log_line_of_the_desk_carries_what_the_member_wrote(
    logged_in_client, member, make_member, make_staff, caplog
):
    caplog.set_level(logging.DEBUG)
    response = logged_in_client.post(
        NEW, inquiry_form(member, title=TITLE, body=BODY, attachments=[upload(FILE_NAME, PDF)])
    )
    inquiry = Inquiry.objects.get()
    item = inquiry.attachments.get()
    urls = [response["Location"]]
    urls += links(logged_in_client.get(reverse("support:list")))
    urls += links(logged_in_client.get(detail(inquiry)))
    refused = logged_in_client.post(
        detail(inquiry),
        {"action": "reply", "reply-body": BODY, "reply-attachments": [upload(FILE_NAME, b"MZ")]},
    )
    assert refused.context["reply_form"].has_error("attachments")
    assert logged_in_client.post(detail(inquiry), {"action": "delete"}).status_code == 400
    file_url = reverse("support:attachment", args=[inquiry.number, item.pk])
    assert logged_in_client.get(file_url).status_code == 200

    stranger = Client()
    stranger.force_login(make_member(username="stranger1"))
    assert stranger.get(detail(inquiry)).status_code == 404
    assert stranger.get(file_url).status_code == 404

    staff = Client()
    staff.force_login(make_staff(username="agent01", role=SUPPORT_AGENT))
    change = staff.get(reverse("admin:support_inquiry_change", args=[inquiry.pk]))
    urls += links(change)
    staff.post(reverse("admin:support_inquiry_reply", args=[inquiry.pk]), {"reply-body": "OK"})

    visited = list(VisitRecord.objects.values_list("path", flat=True))
    assert file_url in visited and NEW in visited
    urls += visited
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert inquiry.number in logged, "the 404s and the 400 are logged, by number"
    for secret in (TITLE, BODY, FILE_NAME, "김민수", member.username, member.company):
        assert not [url for url in urls if secret in url], secret
        assert secret not in logged, secret
