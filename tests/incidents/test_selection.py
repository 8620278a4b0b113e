"""Choosing who a breach affected: by query, in bulk, never twice, never half a list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import Product
from incidents import services
from incidents.exceptions import BadScope, UnknownMembers
from incidents.models import AffectedMember
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER
from staff.services import audit
from tests.incidents.conftest import seoul

pytestmark = pytest.mark.law("PIPA §34")


def affected(incident) -> set[str]:
    return set(incident.affected.values_list("member__username", flat=True))


@pytest.fixture
def crowd(make_member, make_staff, product):
    """Three members of the framework, two of another product, a withdrawn one, staff."""
    portal = Product.objects.create(name="NEXCORE Portal", slug="nexcore-portal")
    names = ("alpha01", "bravo01", "charlie01", "delta01", "echo01", "gone01")
    members = {name: make_member(username=name, ip=f"10.0.{n}.1") for n, name in enumerate(names)}
    for name in ("delta01", "echo01"):
        member = members[name]
        accounts_services.change_profile(
            member=member, company=member.company, project=member.project, product=portal
        )
        members[name] = member
    accounts_services.close_account(member=members.pop("gone01"))
    make_staff(username="handler01", role=PRIVACY_HANDLER)
    return {"portal": portal, **members}


def test_every_member_means_every_open_members_account(incident, crowd):
    selection = services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    assert affected(incident) == {"alpha01", "bravo01", "charlie01", "delta01", "echo01"}
    assert (selection.added, selection.total) == (5, 5)


def test_the_members_of_a_product(incident, crowd):
    services.select_affected(
        incident=incident, scope=services.SCOPE_PRODUCT, product=crowd["portal"]
    )
    assert affected(incident) == {"delta01", "echo01"}


def test_the_members_whose_records_a_staff_account_accessed_in_a_period(
    incident, crowd, make_staff
):
    handler = make_staff(username="handler02", role=PRIVACY_HANDLER)
    other = make_staff(username="handler03", role=PRIVACY_HANDLER)
    viewed = [
        (handler, crowd["alpha01"], seoul(2026, 3, 1, 0, 0)),  # the first instant counts
        (handler, crowd["bravo01"], seoul(2026, 3, 9, 23, 59)),
        (handler, crowd["charlie01"], seoul(2026, 3, 10, 0, 0)),  # the end is excluded
        (handler, crowd["delta01"], seoul(2026, 2, 28, 23, 59)),  # before the period
        (other, crowd["echo01"], seoul(2026, 3, 5, 12, 0)),  # someone else's access
    ]
    for staff, member, at in viewed:
        audit.record_access(staff=staff, ip=None, action="view", members=[member], now=at)
    audit.record_access(staff=handler, ip=None, action="list", members=[], now=seoul(2026, 3, 2))

    services.select_affected(
        incident=incident,
        scope=services.SCOPE_ACCESSED,
        staff=handler,
        since=seoul(2026, 3, 1),
        until=seoul(2026, 3, 10),
    )
    assert affected(incident) == {"alpha01", "bravo01"}


def test_a_list_of_ids_is_matched_as_ids_are_typed(incident, crowd):
    services.select_affected(
        incident=incident, scope=services.SCOPE_IDS, usernames=["Alpha01", " echo01 "]
    )
    assert affected(incident) == {"alpha01", "echo01"}


@pytest.mark.parametrize("unknown", ["nobody01", "gone01", "handler01"])
def test_a_list_naming_anyone_but_an_open_member_adds_nobody(incident, crowd, unknown):
    with pytest.raises(UnknownMembers) as refused:
        services.select_affected(
            incident=incident, scope=services.SCOPE_IDS, usernames=["alpha01", unknown]
        )
    assert refused.value.usernames == [unknown]
    assert unknown in str(refused.value)
    assert not AffectedMember.objects.exists()


def test_selecting_again_adds_only_the_members_not_yet_there(incident, crowd):
    services.select_affected(incident=incident, scope=services.SCOPE_IDS, usernames=["alpha01"])
    again = services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    twice = services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    assert (again.added, again.total) == (4, 5)
    assert (twice.added, twice.total) == (0, 5)
    assert AffectedMember.objects.count() == 5


def test_a_large_selection_is_inserted_in_batches(incident, crowd, monkeypatch):
    monkeypatch.setattr(services, "INSERT_BATCH", 2)
    assert services.select_affected(incident=incident, scope=services.SCOPE_ALL).added == 5


@pytest.mark.parametrize(
    "arguments",
    [
        {"scope": "everyone"},
        {"scope": services.SCOPE_PRODUCT},
        {"scope": services.SCOPE_ACCESSED, "since": seoul(2026, 3, 2), "until": seoul(2026, 3, 1)},
        {"scope": services.SCOPE_IDS, "usernames": [" "]},
    ],
)
def test_a_scope_without_what_it_needs_is_refused(incident, crowd, arguments):
    with pytest.raises(BadScope):
        services.select_affected(incident=incident, **arguments)


# --- The selection form on the incident's admin page ------------------------------------------


def test_the_officer_selects_by_period_in_the_admin_and_the_query_is_recorded(
    client, officer, incident, crowd, make_staff
):
    handler = make_staff(username="handler02", role=PRIVACY_HANDLER)
    audit.record_access(
        staff=handler, ip=None, action="view", members=[crowd["bravo01"]], now=seoul(2026, 3, 3, 15)
    )
    response = client.post(
        reverse("admin:incidents_incident_select", args=[incident.pk]),
        {"scope": "accessed", "staff": "Handler02", "since": "2026-03-01", "until": "2026-03-03"},
    )
    assert response.status_code == 302
    assert affected(incident) == {"bravo01"}
    record = AccessRecord.objects.get(staff=officer, action="add")
    assert record.target == "incidents.affectedmember" and record.member is None
    assert "scope=accessed added=1" in record.detail


def test_unknown_ids_come_back_on_the_form_with_what_was_typed(client, officer, incident, crowd):
    response = client.post(
        reverse("admin:incidents_incident_select", args=[incident.pk]),
        {"scope": "ids", "usernames": "alpha01, zulu99\nyankee99"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["usernames"]
    assert "yankee99, zulu99" in errors[0]
    assert "alpha01, zulu99" in response.content.decode()
    assert not AffectedMember.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"scope": "product"}, "product"),
        ({"scope": "accessed", "since": "2026-03-01", "until": "2026-03-03"}, "staff"),
        ({"scope": "accessed", "staff": "nobody", "since": "2026-03-01"}, "staff"),
        ({"scope": "accessed", "staff": "handler01", "since": "2026-03-05", "until": "2026-03-01"},
         "until"),
        ({"scope": "accessed", "staff": "handler01", "since": "yesterday"}, "since"),
        ({"scope": "ids", "usernames": "  "}, "usernames"),
        ({"scope": "all members"}, "scope"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error_on_its_field(client, officer, incident, crowd, data, field):
    response = client.post(reverse("admin:incidents_incident_select", args=[incident.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not AffectedMember.objects.exists()
