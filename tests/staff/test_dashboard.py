"""The staff dashboard: aggregates only, restricted members left out, a fixed number of queries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.urls import reverse

from accounts import services
from privacy.services import record_request
from staff.roles import SUPPORT_AGENT
from staff.selectors import dashboard

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.policy("9")


def seed(make_member, count, company="Acme", prefix="m", ip="10.0.0.1"):
    return [make_member(username=f"{prefix}{n:03}", company=company, ip=ip) for n in range(count)]


@pytest.fixture
def seeded(make_member, settings):
    settings.SIGNUPS_PER_IP_PER_DAY = 1000
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        seed(make_member, 3, company="Big Co", prefix="big")
        seed(make_member, 1, company="Solo Co", prefix="solo")
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        members = seed(make_member, 2, company="Pair Co", prefix="pair")
        services.record_visit(ip=None, member=members[0], method="GET", path="/", status=200)
        services.close_account(member=members[1])
        restricted = make_member(username="restricted1", company="Hidden Co")
        services.record_visit(ip=None, member=restricted, method="GET", path="/", status=200)
        record_request(member=restricted, kind="correction", channel="letter")


def test_the_figures_leave_out_restricted_members(seeded):
    with time_machine.travel(NOW, tick=False):
        board = dashboard.dashboard()
    assert board.by_product == [("NEXCORE Framework", 5)]
    assert dict(board.by_company_size) == {"1": 2, "2-5": 1, "6-20": 0, "21+": 0}
    assert sum(n for _month, n in board.signups) == 6
    assert board.withdrawals == [(datetime.date(2026, 6, 1), 1)]
    assert board.visits == [(datetime.date(2026, 6, 13), 1)]
    assert (board.open_requests, board.overdue_requests) == (1, 0)


@pytest.mark.parametrize("extra", [0, 20])
def test_each_figure_takes_a_fixed_number_of_queries(
    seeded, make_member, django_assert_num_queries, extra
):
    seed(make_member, extra, company="More Co", prefix="more", ip="10.0.0.9")
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(1):
            dashboard.members_by_product()
        with django_assert_num_queries(1):
            dashboard.members_by_company_size()
        with django_assert_num_queries(1):
            dashboard.signups_per_month(NOW)
        with (
            django_assert_num_queries(1),
            django_assert_num_queries(1, connection=connections["archive"]),
        ):
            dashboard.withdrawals_per_month(NOW)
        with django_assert_num_queries(1):
            dashboard.visits_per_day(NOW)
        with django_assert_num_queries(1):
            dashboard.request_counts(NOW)


def test_the_dashboard_page_names_no_member(seeded, client, login_as):
    login_as(role=SUPPORT_AGENT, username="agent01")
    page = client.get(reverse("staff_dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "big000" not in html and "Big Co" not in html and "Hidden Co" not in html
