"""The 72 hours from discovery to the members' notice and the report (시행령 §39 ①, §40 ①)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from incidents import selectors, services
from incidents.exceptions import NotificationsPending
from incidents.models import REPORT_THRESHOLD, AffectedMember
from staff.roles import PRIVACY_HANDLER, SUPPORT_AGENT
from tests.incidents.conftest import DISCOVERED, seoul

pytestmark = pytest.mark.law("시행령 §40")

HOURS = datetime.timedelta(hours=1)


def clock_at(incident, at, affected=0):
    incident.refresh_from_db()
    return selectors.clock(incident, affected=affected, now=at)


def test_the_deadline_is_72_hours_after_the_discovery(incident):
    assert incident.deadline == seoul(2026, 3, 13, 9, 0)


@pytest.mark.parametrize(
    "at, state, text",
    [
        (DISCOVERED, "due", "due in 72h"),
        (DISCOVERED + 71.5 * HOURS, "due", "due in 1h"),
        (DISCOVERED + 72 * HOURS, "due", "due in 0h"),
        (DISCOVERED + 72 * HOURS + datetime.timedelta(minutes=1), "overdue", "overdue by 1h"),
        (DISCOVERED + 80 * HOURS, "overdue", "overdue by 8h"),
    ],
)
def test_the_clock_counts_the_hours_left_then_the_hours_over(incident, at, state, text):
    running = clock_at(incident, at)
    assert running.running and (running.state, running.text) == (state, text)


def test_the_clock_stops_once_the_members_are_notified_when_no_report_is_required(incident):
    with time_machine.travel(DISCOVERED + 30 * HOURS, tick=False):
        services.notify_members(incident=incident)
    stopped = clock_at(incident, DISCOVERED + 200 * HOURS, affected=999)
    assert not stopped.running
    assert (stopped.state, stopped.text) == ("on_time", "on time")
    assert [step.text for step in stopped.steps] == ["on time"]


def test_a_required_report_keeps_the_clock_running_until_it_is_sent(make_incident):
    incident = make_incident(intrusion=True)
    with time_machine.travel(DISCOVERED + 10 * HOURS, tick=False):
        services.notify_members(incident=incident)
    running = clock_at(incident, DISCOVERED + 75 * HOURS)
    assert running.running and running.text == "overdue by 3h"
    assert [(step.state, step.text) for step in running.steps] == [
        ("on_time", "on time"),
        ("overdue", "overdue by 3h"),
    ]
    with time_machine.travel(DISCOVERED + 76 * HOURS, tick=False):
        services.record_report_sent(incident=incident, sent_at=DISCOVERED + 75 * HOURS)
    stopped = clock_at(incident, DISCOVERED + 90 * HOURS)
    assert not stopped.running
    assert (stopped.state, stopped.text) == ("late", "done 3h late")


@pytest.mark.parametrize(
    "affected, sensitive, intrusion, required",
    [
        (REPORT_THRESHOLD - 1, False, False, False),
        (REPORT_THRESHOLD, False, False, True),
        (1, True, False, True),
        (1, False, True, True),
    ],
)
def test_the_report_is_required_from_1000_members_or_sensitive_data_or_an_intrusion(
    make_incident, affected, sensitive, intrusion, required
):
    incident = make_incident(sensitive=sensitive, intrusion=intrusion)
    assert bool(selectors.report_reasons(incident, affected=affected)) is required
    assert len(clock_at(incident, DISCOVERED, affected=affected).steps) == (2 if required else 1)


def test_a_thousand_selected_members_make_the_report_required(incident, member):
    users = get_user_model()
    users.objects.bulk_create(
        users(username=f"bulk{n:04d}", password="!") for n in range(REPORT_THRESHOLD - 1)
    )
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    assert AffectedMember.objects.count() == REPORT_THRESHOLD
    numbers = selectors.counts(incident)
    assert selectors.report_reasons(incident, affected=numbers.affected) == [
        "1000 members affected (1000 or more)"
    ]


def test_an_incident_closes_only_once_its_clock_stopped(make_incident):
    incident = make_incident(sensitive=True)
    with pytest.raises(NotificationsPending):
        services.close_incident(incident=incident)
    services.notify_members(incident=incident, now=DISCOVERED + HOURS)
    with pytest.raises(NotificationsPending):
        services.close_incident(incident=incident)
    services.record_report_sent(incident=incident, sent_at=DISCOVERED + 2 * HOURS)
    assert services.close_incident(incident=incident).closed_at is not None


# --- On the dashboard, for the officer only -----------------------------------------------------


@pytest.mark.law("PIPA §34")
def test_the_dashboard_shows_each_running_clock_to_the_officer(client, officer, make_incident):
    late = make_incident(title="Mailed list", discovered_at=seoul(2026, 3, 6, 9, 0))
    soon = make_incident(title="Stolen laptop", intrusion=True)
    done = make_incident(title="Printed page")
    services.notify_members(incident=done, now=DISCOVERED + HOURS)
    with time_machine.travel(seoul(2026, 3, 11, 9, 0), tick=False):
        page = client.get(reverse("staff_dashboard"))
    (panel,) = page.context["dashboard"].deadlines
    assert [(row["label"], row["state"], row["overdue"]) for row in panel["rows"]] == [
        ("Mailed list", "overdue by 48h", True),
        ("Stolen laptop", "due in 48h", False),
    ]
    html = page.content.decode()
    assert reverse("admin:incidents_incident_change", args=[soon.pk]) in html
    assert reverse("admin:incidents_incident_change", args=[late.pk]) in html
    assert "Printed page" not in html


@pytest.mark.parametrize("role", [PRIVACY_HANDLER, SUPPORT_AGENT])
def test_the_dashboard_shows_no_incident_to_other_roles(client, login_as, incident, role):
    login_as(role=role)
    page = client.get(reverse("staff_dashboard"))
    assert page.status_code == 200
    assert page.context["dashboard"].deadlines == []
    assert incident.title not in page.content.decode()


def test_the_dashboards_clocks_take_one_query_however_many_incidents(
    officer, make_incident, django_assert_num_queries
):
    for n in range(5):
        incident = make_incident(title=f"Incident {n}", sensitive=bool(n % 2))
        services.notify_members(incident=incident, now=DISCOVERED + HOURS)
    assert officer.has_perm(selectors.VIEW_PERMISSION)  # the permissions, read once per request
    with django_assert_num_queries(1):
        panel = selectors.deadline_panel(now=DISCOVERED + 2 * HOURS, user=officer)
    assert len(panel["rows"]) == 2
