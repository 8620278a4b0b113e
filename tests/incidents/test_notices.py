"""The officer's notification: the pinned public notice for 30 days (시행령 §39 ③) and the
report to the PIPC or KISA, filled in for copying (시행령 §40)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from incidents import selectors, services
from incidents.exceptions import AlreadyNotified, BadReportDate, PublicNoticeHeld
from incidents.models import Incident
from privacy.models import Notice
from tests.incidents.conftest import DISCOVERED, seoul

pytestmark = pytest.mark.law("PIPA §34")

NOTIFIED = seoul(2026, 3, 11, 14, 30)


@pytest.fixture
def notified(incident, make_member):
    for n in range(3):
        make_member(username=f"victim{n:02d}", ip=f"10.1.{n}.1")
    services.select_affected(incident=incident, scope=services.SCOPE_ALL, now=NOTIFIED)
    return services.notify_members(incident=incident, now=NOTIFIED)


# --- The public notice --------------------------------------------------------------------------


@pytest.mark.law("시행령 §39")
def test_notifying_publishes_a_pinned_notice_with_the_five_items(client, notified):
    notice = notified.public_notice
    assert (notice.pinned, notice.published_at) == (True, NOTIFIED)
    assert notified.title in notice.title
    for text in (
        notified.what_happened, notified.items, notified.cause, notified.member_actions,
        notified.containment, notified.contact, "2026-03-10 09:00",
    ):  # fmt: skip
        assert text in notice.body, text
    assert "victim00" not in notice.body
    with time_machine.travel(NOTIFIED + datetime.timedelta(days=29), tick=False):
        listing = client.get(reverse("notices:list")).content.decode()
        page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert notice.title in listing and 'class="pinned"' in listing
    assert notified.containment in page


def test_the_members_are_notified_once(notified):
    with pytest.raises(AlreadyNotified):
        services.notify_members(incident=notified)
    assert Notice.objects.filter(pinned=True).count() == 1


@pytest.mark.law("시행령 §39")
@pytest.mark.parametrize(
    "notified_at, until",
    [
        (seoul(2026, 3, 11, 14, 30), seoul(2026, 4, 11)),  # the day it went up does not count
        (seoul(2026, 3, 11, 0, 0), seoul(2026, 4, 10)),  # at 00:00 it counts
    ],
)
def test_the_notice_stays_thirty_full_days(incident, notified_at, until):
    services.notify_members(incident=incident, now=notified_at)
    incident.refresh_from_db()
    assert selectors.public_notice_until(incident.public_notice) == until


@pytest.mark.law("시행령 §39")
def test_the_notice_cannot_be_deleted_or_unpinned_in_its_thirty_days(notified):
    notice = notified.public_notice
    with time_machine.travel(seoul(2026, 4, 10, 23, 59), tick=False):
        # A savepoint of its own: the delete's transaction is the caller's, and it fails.
        with pytest.raises(PublicNoticeHeld, match="2026-04-11 00:00"), transaction.atomic():
            notice.delete()
        notice.pinned = False
        with pytest.raises(PublicNoticeHeld):
            notice.save()
        notice.pinned = True
        notice.published_at = seoul(2026, 5, 1)
        with pytest.raises(PublicNoticeHeld):
            notice.save()
        notice.published_at = NOTIFIED
        notice.title = "Notice of a breach (corrected)"
        notice.save()
    with time_machine.travel(seoul(2026, 4, 11), tick=False):
        notice.pinned = False
        notice.save()
        notice.delete()
    notified.refresh_from_db()
    assert notified.public_notice is None


@pytest.mark.law("시행령 §39")
def test_the_notices_admin_refuses_with_the_reason_in_the_thirty_days(client, login_as, notified):
    superuser = login_as(superuser=True)
    notice = notified.public_notice
    change = reverse("admin:privacy_notice_change", args=[notice.pk])
    with time_machine.travel(seoul(2026, 3, 20), tick=False):
        page = client.get(change)
        assert "2026-04-11 00:00" in page.content.decode()
        assert {"pinned", "published_at"} <= set(page.context["adminform"].readonly_fields)
        assert not page.context["has_delete_permission"]
        assert (
            client.get(reverse("admin:privacy_notice_delete", args=[notice.pk])).status_code == 403
        )
        client.post(change, {"title": "Changed title", "body": notice.body})
        selected = {"action": "delete_selected", "_selected_action": [notice.pk]}
        listing = reverse("admin:privacy_notice_changelist")
        confirm = client.post(listing, selected)
        assert confirm.status_code == 200 and confirm.context["perms_lacking"]
        assert client.post(listing, {**selected, "post": "yes"}).status_code == 403
    notice.refresh_from_db()
    assert (notice.title, notice.pinned) == ("Changed title", True)
    assert LogEntry.objects.filter(object_id=str(notice.pk)).count() == 1
    with time_machine.travel(seoul(2026, 4, 11), tick=False):
        client.force_login(superuser)  # a staff session ends after a while without activity
        page = client.get(change)
        assert page.context["has_delete_permission"]
        assert "pinned" not in page.context["adminform"].readonly_fields


def test_other_notices_stay_free_to_edit_and_delete(client, login_as, notified):
    login_as(superuser=True)
    other = Notice.objects.create(title="Maintenance", body="Saturday", pinned=True)
    page = client.get(reverse("admin:privacy_notice_change", args=[other.pk]))
    assert page.context["has_delete_permission"]
    other.delete()


# --- The report ---------------------------------------------------------------------------------


@pytest.mark.law("시행령 §40")
def test_the_report_text_is_filled_with_the_counts_dates_and_steps(make_incident, make_member):
    incident = make_incident(intrusion=True)
    for n in range(4):
        make_member(username=f"victim{n:02d}", ip=f"10.2.{n}.1")
    services.select_affected(incident=incident, scope=services.SCOPE_ALL, now=NOTIFIED)
    services.notify_members(incident=incident, now=NOTIFIED)
    incident.refresh_from_db()
    first = incident.affected.first()
    services.acknowledge_notice(notice=first)
    text = selectors.report_text(incident, now=seoul(2026, 3, 11, 15, 0))
    with translation.override(settings.LANGUAGE_CODE):
        reasons = selectors.report_reasons(incident, affected=4)
    numbers = [line.rsplit(": ", 1)[-1] for line in text.splitlines() if ": " in line]
    assert numbers[1] == "4", "members affected"
    assert "1" in numbers, "members who acknowledged"
    for expected in (
        "ID, company, project",
        "2026-03-10 04:00",  # occurred
        "2026-03-10 09:00",  # discovered
        "2026-03-11 14:30",  # members notified
        reasons[0],
        incident.what_happened, incident.cause, incident.containment, incident.member_actions,
        incident.contact, reverse("notices:list"),
    ):  # fmt: skip
        assert expected in text, expected
    assert "victim00" not in text


@pytest.mark.law("시행령 §40")
def test_the_officer_copies_the_report_and_records_when_it_was_sent(client, officer, make_incident):
    incident = make_incident(sensitive=True)
    change = reverse("admin:incidents_incident_change", args=[incident.pk])
    with time_machine.travel(seoul(2026, 3, 11, 9, 0), tick=False):
        page = client.get(change)
        html = page.content.decode()
        assert "id_report_text" in html and "readonly" in html
        # The report is filled in the site's language, whatever the officer's page is in.
        assert page.context["reasons"] == ["민감정보 또는 고유식별정보 포함"]
        assert page.context["clock"].text == "due in 48h"
        response = client.post(
            reverse("admin:incidents_incident_report", args=[incident.pk]),
            {"sent_at": "2026-03-11 08:15"},
        )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.authority_report_sent_at == seoul(2026, 3, 11, 8, 15)


@pytest.mark.parametrize("sent_at", ["2026-03-10 08:59", "2026-03-12 09:00", "soon"])
def test_an_impossible_report_date_is_refused_with_a_message(client, officer, incident, sent_at):
    with time_machine.travel(seoul(2026, 3, 11, 9, 0), tick=False):
        response = client.post(
            reverse("admin:incidents_incident_report", args=[incident.pk]),
            {"sent_at": sent_at},
            follow=True,
        )
    assert response.status_code == 200
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    incident.refresh_from_db()
    assert incident.authority_report_sent_at is None


def test_a_report_date_before_the_discovery_is_refused(incident):
    with pytest.raises(BadReportDate):
        services.record_report_sent(
            incident=incident, sent_at=DISCOVERED - datetime.timedelta(minutes=1)
        )


# --- The officer's page -------------------------------------------------------------------------


def test_the_officer_records_notifies_and_closes_in_the_admin(client, officer, member):
    add = client.post(
        reverse("admin:incidents_incident_add"),
        {
            "title": "Laptop stolen",
            "discovered_at_0": "2026-03-10",
            "discovered_at_1": "09:00",
            "occurred_at_0": "",
            "occurred_at_1": "",
            "what_happened": "A handler's laptop was stolen.",
            "items": "ID, company",
            "cause": "Reported by the handler.",
            "member_actions": "Nothing is needed.",
            "containment": "The disk was encrypted; the device was wiped remotely.",
            "contact": selectors.default_contact(),
        },
    )
    assert add.status_code == 302, add.context and add.context["adminform"].form.errors
    incident = Incident.objects.get()
    assert incident.created_by == officer and incident.discovered_at == DISCOVERED
    client.post(
        reverse("admin:incidents_incident_select", args=[incident.pk]),
        {"scope": "ids", "usernames": member.username},
    )
    with time_machine.travel(seoul(2026, 3, 11, 9, 0), tick=False):
        client.post(reverse("admin:incidents_incident_notify", args=[incident.pk]), follow=True)
        again = client.post(
            reverse("admin:incidents_incident_notify", args=[incident.pk]), follow=True
        )
        closed = client.post(
            reverse("admin:incidents_incident_close", args=[incident.pk]), follow=True
        )
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    assert [m.level_tag for m in closed.context["messages"]] == ["info"]
    incident.refresh_from_db()
    assert incident.members_notified_at == seoul(2026, 3, 11, 9, 0)
    assert incident.closed_at == seoul(2026, 3, 11, 9, 0)
    assert incident.public_notice.pinned


def test_the_new_incidents_form_suggests_the_contact_and_now(client, officer, settings):
    page = client.get(reverse("admin:incidents_incident_add"))
    initial = page.context["adminform"].form.initial
    assert settings.SUPPORT_PHONE in initial["contact"]
    assert settings.SUPPORT_EMAIL in initial["contact"]
    assert initial["discovered_at"] is not None


def test_an_incident_cannot_be_deleted(client, login_as, incident):
    login_as(superuser=True)
    assert (
        client.get(reverse("admin:incidents_incident_delete", args=[incident.pk])).status_code
        == 403
    )
