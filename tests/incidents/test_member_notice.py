"""Each affected member is told through the portal (PIPA §34 ①): at their next login, before
anything else, and on their data page; their acknowledgement is recorded once."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from incidents import services
from incidents.models import AffectedMember
from tests.conftest import PASSWORD
from tests.incidents.conftest import seoul

pytestmark = pytest.mark.law("PIPA §34")

NOTIFIED = seoul(2026, 3, 11, 14, 30)
NOTICES = reverse("incidents:notices")


def log_in(client, member, **extra):
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD, **extra}
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def victim(make_member, incident):
    member = make_member(username="victim01")
    services.select_affected(incident=incident, scope=services.SCOPE_IDS, usernames=["victim01"])
    services.notify_members(incident=incident, now=NOTIFIED)
    return member


def row(member) -> AffectedMember:
    return AffectedMember.objects.get(member=member)


@time_machine.travel(seoul(2026, 3, 12, 8, 0), tick=False)
def test_at_login_the_member_sees_the_notice_first_then_goes_where_they_were_going(
    client, victim, incident
):
    support = reverse("support:list")
    assert log_in(client, victim, next=support)["Location"] == support
    sent = client.get(support)
    assert sent.status_code == 302
    assert sent["Location"] == f"{NOTICES}?{urlencode({'next': support})}"
    page = client.get(sent["Location"])
    html = page.content.decode()
    for text in (
        incident.title, incident.what_happened, incident.items, incident.cause,
        incident.member_actions, incident.containment, incident.contact,
        "2026-03-10 04:00", "2026-03-10 09:00",
    ):  # fmt: skip
        assert text in html, text
    assert client.get(reverse("downloads:list"))["Location"].startswith(NOTICES)

    done = client.post(reverse("incidents:acknowledge", args=[incident.pk]), {"next": support})
    assert done["Location"] == support
    assert client.get(support).status_code == 200
    assert row(victim).acknowledged_at == seoul(2026, 3, 12, 8, 0)


def test_leaving_and_the_members_own_data_stay_open_before_reading(client, victim):
    log_in(client, victim)
    assert not client.get(reverse("accounts:me"))["Location"].startswith(NOTICES)
    assert client.get(reverse("accounts:reauth")).status_code == 200
    client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    assert client.get(reverse("accounts:me")).status_code == 200
    assert client.get(reverse("accounts:export")).status_code == 200
    assert client.get(reverse("accounts:withdraw")).status_code == 200
    assert client.get(reverse("privacy:policy")).status_code == 200
    assert client.post(reverse("accounts:logout"))["Location"] != NOTICES
    assert client.get(reverse("support:list"))["Location"].startswith(reverse("accounts:login"))


def test_the_notice_comes_back_at_each_login_until_acknowledged(client, victim, incident):
    log_in(client, victim)
    client.post(reverse("accounts:logout"))
    log_in(client, victim)
    assert client.get("/")["Location"].startswith(NOTICES)
    client.post(reverse("incidents:acknowledge", args=[incident.pk]), {"next": "/"})
    client.post(reverse("accounts:logout"))
    log_in(client, victim)
    assert client.get("/").status_code == 200


def test_the_acknowledgement_is_recorded_once(client, victim, incident):
    log_in(client, victim)
    url = reverse("incidents:acknowledge", args=[incident.pk])
    with time_machine.travel(seoul(2026, 3, 12, 8, 0), tick=False):
        client.post(url)
    with time_machine.travel(seoul(2026, 3, 13, 8, 0), tick=False):
        assert client.post(url).status_code == 302
    assert row(victim).acknowledged_at == seoul(2026, 3, 12, 8, 0)


def test_the_acknowledgement_is_a_post_with_its_csrf_token(victim, incident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(victim)
    url = reverse("incidents:acknowledge", args=[incident.pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert row(victim).acknowledged_at is None


def test_a_member_cannot_acknowledge_a_notice_that_is_not_theirs(
    client, victim, make_member, make_incident
):
    other = make_incident(title="Another breach")
    services.notify_members(incident=other, now=NOTIFIED)
    log_in(client, victim)
    assert client.post(reverse("incidents:acknowledge", args=[other.pk])).status_code == 404
    assert client.post(reverse("incidents:acknowledge", args=[9999])).status_code == 404


def test_a_member_not_affected_sees_nothing(client, victim, make_member):
    bystander = make_member(username="bystander1", ip="10.0.9.1")
    log_in(client, bystander)
    assert client.get(reverse("support:list")).status_code == 200
    assert client.get(NOTICES)["Location"] == "/"
    client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    page = client.get(reverse("accounts:me"))
    assert "breach-notices-title" not in page.content.decode()


def test_nothing_is_shown_before_the_officer_notifies(client, make_member, make_incident):
    incident = make_incident()
    member = make_member(username="victim02")
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    log_in(client, member)
    assert client.get("/").status_code == 200
    assert client.get(NOTICES)["Location"] == "/"


def test_my_data_shows_the_notice_and_acknowledges_it_in_place(client, victim, incident):
    log_in(client, victim)
    client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    me = reverse("accounts:me")
    button = f'action="{reverse("incidents:acknowledge", args=[incident.pk])}"'
    html = client.get(me).content.decode()
    assert incident.containment in html and button in html
    assert (
        client.post(reverse("incidents:acknowledge", args=[incident.pk]), {"next": me})["Location"]
        == me
    )
    html = client.get(me).content.decode()
    assert incident.containment in html and button not in html
    assert client.get("/").status_code == 200


def test_a_notice_published_while_logged_in_waits_for_the_next_login(client, make_member, incident):
    member = make_member(username="victim03")
    log_in(client, member)
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    services.notify_members(incident=incident, now=NOTIFIED)
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    log_in(client, member)
    assert client.get("/")["Location"].startswith(NOTICES)


def test_the_export_lists_the_notices_and_their_acknowledgement(client, victim, incident):
    services.acknowledge_notice(notice=row(victim), now=seoul(2026, 3, 12, 8, 0))
    log_in(client, victim)
    client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    data = json.loads(client.get(reverse("accounts:export")).content)
    (notice,) = data["breach_notices"]
    assert notice["incident"] == incident.title
    assert notice["acknowledged_at"].startswith("2026-03-12T08:00")


def test_the_gate_costs_member_pages_no_query(client, victim, incident):
    log_in(client, victim)
    client.post(reverse("incidents:acknowledge", args=[incident.pk]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert not [query for query in captured if "incidents_" in query["sql"]]


def test_the_notices_page_keeps_next_on_this_site(client, victim):
    log_in(client, victim)
    page = client.get(NOTICES, {"next": "https://evil.example/"})
    assert page.context["next"] == "/"
