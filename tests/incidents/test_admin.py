"""The incident register is the privacy officer's alone, and whom a breach affected is personal
data: its list writes the access records (policy §9 다)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from staff.models import AccessRecord
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT

pytestmark = pytest.mark.law("PIPA §34")

PAGES = [
    ("admin:incidents_incident_changelist", False),
    ("admin:incidents_incident_add", False),
    ("admin:incidents_incident_change", True),
    ("admin:incidents_affectedmember_changelist", False),
]
ACTIONS = ["select", "notify", "report", "close"]


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER, CONTRACT_MANAGER])
@pytest.mark.parametrize("page, with_incident", PAGES)
def test_other_roles_get_403_on_the_incident_pages(
    client, login_as, incident, role, page, with_incident
):
    login_as(role=role)
    url = reverse(page, args=[incident.pk] if with_incident else [])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER])
@pytest.mark.parametrize("action", ACTIONS)
def test_other_roles_cannot_act_on_an_incident(client, login_as, incident, member, role, action):
    login_as(role=role)
    url = reverse(f"admin:incidents_incident_{action}", args=[incident.pk])
    assert client.post(url, {"scope": "all", "sent_at": "2026-03-10 10:00"}).status_code == 403
    incident.refresh_from_db()
    assert (incident.members_notified_at, incident.authority_report_sent_at) == (None, None)
    assert not incident.affected.exists()


@pytest.mark.parametrize("page, with_incident", PAGES)
def test_the_officer_opens_every_incident_page(client, officer, incident, page, with_incident):
    url = reverse(page, args=[incident.pk] if with_incident else [])
    assert client.get(url).status_code == 200


def test_the_officers_role_holds_the_incident_permissions(officer):
    assert officer.groups.get().name == PRIVACY_OFFICER
    for code in ("view_incident", "add_incident", "change_incident", "view_affectedmember"):
        assert officer.has_perm(f"incidents.{code}"), code
    assert not officer.has_perm("incidents.delete_incident")


def test_the_list_of_affected_members_names_whom_it_showed(client, officer, incident, make_member):
    members = [make_member(username=f"victim{n:02d}", ip=f"10.3.{n}.1") for n in range(3)]
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    url = reverse("admin:incidents_affectedmember_changelist") + f"?incident={incident.pk}"
    assert client.get(url).status_code == 200
    listed = AccessRecord.objects.filter(staff=officer, action="list")
    assert set(listed.values_list("member", flat=True)) == {member.pk for member in members}
    assert set(listed.values_list("target", flat=True)) == {"incidents.affectedmember"}
    row = incident.affected.first()
    assert (
        client.get(reverse("admin:incidents_affectedmember_change", args=[row.pk])).status_code
        == 200
    )
    assert AccessRecord.objects.get(staff=officer, action="view").member_id == row.member_id


def test_the_incident_page_names_no_member_and_records_no_access(client, officer, incident, member):
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    html = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content
    assert member.username not in html.decode()
    assert not AccessRecord.objects.filter(member__isnull=False).exists()


def test_the_affected_members_list_is_read_only(client, officer, incident, member):
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    row = incident.affected.get()
    assert client.get(reverse("admin:incidents_affectedmember_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:incidents_affectedmember_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert incident.affected.exists()


@pytest.mark.parametrize(
    "page", ["admin:incidents_incident_change", "admin:incidents_affectedmember_changelist"]
)
def test_the_pages_cost_the_same_with_two_members_and_with_twenty(
    client, officer, incident, make_member, page
):
    def count() -> int:
        url = reverse(page, args=[incident.pk]) if page.endswith("change") else reverse(page)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            make_member(username=f"victim{n:02d}", ip=f"10.4.{n}.1")
        services.select_affected(incident=incident, scope=services.SCOPE_ALL)

    add(0, 2)
    services.notify_members(incident=incident)
    client.get(reverse("admin:index"))  # the session's first request does more
    small = count()
    add(2, 18)
    assert count() == small
