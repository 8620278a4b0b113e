"""The staff dashboard: aggregates only, restricted members left out, a fixed number of queries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import VisitDay, VisitRecord
from privacy.services import record_request
from staff.roles import SUPPORT_AGENT
from staff.selectors import dashboard

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.policy("2 나")


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
        dashboard.visits_per_day(NOW)
        # The past days' counts are kept by then: those, today's, the restricted members, and
        # their visits.
        with django_assert_num_queries(4):
            dashboard.visits_per_day(NOW)
        with django_assert_num_queries(1):
            dashboard.request_counts(NOW)


def test_the_dashboard_page_names_no_member(seeded, client, login_as):
    login_as(role=SUPPORT_AGENT, username="agent01")
    page = client.get(reverse("staff_dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "big000" not in html and "Big Co" not in html and "Hidden Co" not in html


def visit_at(moment: datetime.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        services.record_visit(ip=None, member=None, method="GET", path="/", status=200)


def test_visits_count_by_seoul_days_kept_once_a_day_is_over(db):
    visit_at(datetime.datetime(2026, 6, 13, 23, 59, 59, tzinfo=SEOUL))
    visit_at(datetime.datetime(2026, 6, 14, 0, 0, tzinfo=SEOUL))
    visit_at(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=SEOUL))
    expected = [
        (datetime.date(2026, 6, 13), 1),
        (datetime.date(2026, 6, 14), 1),
        (datetime.date(2026, 6, 15), 1),
    ]
    assert dashboard.visits_per_day(NOW) == expected
    kept = dict(VisitDay.objects.values_list("day", "visits"))
    assert len(kept) == dashboard.VISIT_DAYS - 1 and datetime.date(2026, 6, 15) not in kept
    assert (kept[datetime.date(2026, 6, 13)], kept[datetime.date(2026, 6, 14)]) == (1, 1)
    # Read from the kept counts, not the visit table: records purged later change nothing.
    VisitRecord.objects.filter(time__lt=datetime.datetime(2026, 6, 15, tzinfo=SEOUL)).delete()
    assert dashboard.visits_per_day(NOW) == expected


def test_a_day_just_over_is_counted_afresh_until_it_settles(db):
    just_after_midnight = datetime.datetime(2026, 6, 16, 0, 2, tzinfo=SEOUL)
    visit_at(datetime.datetime(2026, 6, 15, 23, 59, tzinfo=SEOUL))
    assert dict(dashboard.visits_per_day(just_after_midnight))[datetime.date(2026, 6, 15)] == 1
    assert not VisitDay.objects.filter(day=datetime.date(2026, 6, 15)).exists()
    # A request begun before midnight writes its record late: it still counts for its day.
    visit_at(datetime.datetime(2026, 6, 15, 23, 59, 30, tzinfo=SEOUL))
    later = just_after_midnight + datetime.timedelta(minutes=10)
    assert dict(dashboard.visits_per_day(later))[datetime.date(2026, 6, 15)] == 2
    assert VisitDay.objects.get(day=datetime.date(2026, 6, 15)).visits == 2


def test_no_figure_truncates_dates_in_a_per_row_function(seeded, client, login_as):
    login_as(role=SUPPORT_AGENT, username="agent01")
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staff_dashboard")).status_code == 200
    # SQLite's date functions of Django are Python called once per row (django_datetime_trunc
    # and the like): a dashboard over millions of visits would wait on them.
    assert not [q["sql"] for q in queries.captured_queries if "django_date" in q["sql"]]
