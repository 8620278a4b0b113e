"""The desk's pages run a fixed number of queries, however many inquiries and messages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.roles import SUPPORT_AGENT
from support import services
from tests.support.conftest import detail

pytestmark = pytest.mark.infra


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def fill(open_inquiry, member, staff, count):
    inquiries = [open_inquiry(title=f"Inquiry {n}") for n in range(count)]
    for inquiry in inquiries:
        for n in range(3):
            services.staff_reply(inquiry=inquiry, staff=staff, body=f"Answer {n}")
            services.member_reply(inquiry=inquiry, body=f"Reply {n}")
    return inquiries


def test_the_list_and_the_thread_cost_the_same_at_two_and_at_twenty(
    logged_in_client, open_inquiry, member, make_staff
):
    staff = make_staff(username="agent01")
    few = fill(open_inquiry, member, staff, 2)
    small = (
        queries(logged_in_client, reverse("support:list")),
        queries(logged_in_client, detail(few[0])),
    )
    many = fill(open_inquiry, member, staff, 18)
    large = (
        queries(logged_in_client, reverse("support:list")),
        queries(logged_in_client, detail(many[0])),
    )
    assert small == large, (small, large)
    # The list shows the member's panels: a support contract's coverage, breach notices.
    assert large == (9, 9)


def test_the_staff_queue_costs_the_same_at_two_and_at_twenty(
    client, login_as, open_inquiry, member, make_staff
):
    staff = make_staff(username="agent02")
    fill(open_inquiry, member, staff, 2)
    login_as(role=SUPPORT_AGENT)
    queue = reverse("admin:support_inquiry_changelist")
    small = queries(client, queue)
    fill(open_inquiry, member, staff, 18)
    assert queries(client, queue) == small == 11
