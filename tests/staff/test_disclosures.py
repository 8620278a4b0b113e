"""Policy §3 disclosures, and §7: recipients are told of a later correction."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from privacy.models import CorrectionNotice, DisclosedMember, Disclosure
from privacy.selectors import pending_notices
from privacy.services import (
    record_disclosure,
    record_request,
    resolve_request,
    update_disclosure,
)
from staff.models import AccessRecord
from staff.roles import PRIVACY_OFFICER

SEOUL_MAY_1 = datetime.datetime(2026, 5, 1, 10, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.mark.policy("3")
def test_the_officer_registers_a_disclosure_by_member_ids(client, login_as, make_member):
    first, second = make_member(username="first01"), make_member(username="second01")
    login_as(role=PRIVACY_OFFICER)
    response = client.post(
        reverse("admin:privacy_disclosure_add"),
        {
            "recipient": "Seoul Central District Prosecutors' Office",
            "basis": "statute",
            "statute": "Criminal Procedure Act §215, case 2026-17",
            "items": "ID, company",
            "disclosed_at_0": "2026-05-01",
            "disclosed_at_1": "10:00:00",
            "member_ids": "first01 SECOND01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure = Disclosure.objects.get()
    assert set(disclosure.entries.values_list("member", flat=True)) == {first.pk, second.pk}
    assert set(
        AccessRecord.objects.filter(target="privacy.disclosure", action="add").values_list(
            "member", flat=True
        )
    ) == {first.pk, second.pk}


@pytest.mark.policy("3")
def test_a_statute_basis_needs_the_statute_and_case(client, login_as, member):
    login_as(role=PRIVACY_OFFICER)
    response = client.post(
        reverse("admin:privacy_disclosure_add"),
        {
            "recipient": "Police",
            "basis": "statute",
            "statute": "",
            "items": "ID",
            "disclosed_at_0": "2026-05-01",
            "disclosed_at_1": "10:00:00",
            "member_ids": member.username,
        },
    )
    assert response.status_code == 200 and not Disclosure.objects.exists()


@pytest.mark.policy("7")
def test_a_correction_after_a_disclosure_lists_the_recipients_to_notify(
    client, login_as, member, product
):
    record_disclosure(recipient="Partner A", basis="consent", items="ID", members=[member])
    record_disclosure(recipient="Partner B", basis="consent", items="ID", members=[member])
    services.change_profile(
        member=member, company="Renamed Co", project=member.project, product=product
    )
    pending = list(pending_notices())
    assert {notice.entry.disclosure.recipient for notice in pending} == {"Partner A", "Partner B"}
    assert {notice.fields for notice in pending} == {"company"}
    officer = login_as(role=PRIVACY_OFFICER)
    page = client.get(reverse("admin:privacy_correctionnotice_changelist"))
    assert "Partner A" in page.content.decode()
    response = client.post(
        reverse("admin:privacy_correctionnotice_changelist"),
        {"action": "record_notified", "_selected_action": [pending[0].pk]},
    )
    assert response.status_code == 302
    told = CorrectionNotice.objects.get(pk=pending[0].pk)
    assert told.notified_at is not None and told.notified_by == officer
    assert list(pending_notices()) == [pending[1]]


@pytest.mark.policy("7")
def test_an_admin_correction_also_queues_the_notices(client, login_as, member, product):
    record_disclosure(recipient="Partner A", basis="consent", items="ID", members=[member])
    login_as(role="privacy_handler")
    client.post(
        reverse("admin:accounts_user_change", args=[member.pk]),
        {"company": member.company, "project": "New Project", "product": product.pk},
    )
    assert [n.fields for n in pending_notices()] == ["project"]


@pytest.mark.policy("7")
def test_an_unchanged_profile_queues_nothing(member, product):
    record_disclosure(recipient="Partner A", basis="consent", items="ID", members=[member])
    services.change_profile(
        member=member, company=member.company, project=member.project, product=product
    )
    assert not CorrectionNotice.objects.exists()


@pytest.mark.policy("3")
def test_the_members_page_lists_disclosures_unless_the_law_forbids_telling(reauthed_client, member):
    record_disclosure(recipient="Partner Told", basis="consent", items="ID", members=[member])
    record_disclosure(
        recipient="Secret Investigation",
        basis="statute",
        statute="Case 9",
        items="ID",
        members=[member],
        withhold_from_member=True,
    )
    html = reauthed_client.get(reverse("accounts:me")).content.decode()
    assert "Partner Told" in html
    assert "Secret Investigation" not in html


@pytest.mark.policy("3")
def test_the_members_export_lists_the_disclosures_they_may_be_told_of(reauthed_client, member):
    record_disclosure(recipient="Partner Told", basis="consent", items="ID", members=[member])
    record_disclosure(
        recipient="Secret", basis="statute", statute="Case 9", items="ID", members=[member],
        withhold_from_member=True,
    )  # fmt: skip
    data = reauthed_client.get(reverse("accounts:export")).json()
    assert [entry["recipient"] for entry in data["disclosures"]] == ["Partner Told"]


def disclosure_form(member_ids: str, **fields) -> dict:
    return {
        "recipient": "Seoul Central District Prosecutors' Office", "basis": "statute",
        "statute": "Criminal Procedure Act §215, case 2026-17", "items": "ID, company",
        "disclosed_at_0": "2026-05-01", "disclosed_at_1": "10:00:00", "member_ids": member_ids,
        **fields,
    }  # fmt: skip


@pytest.mark.policy("7")
def test_a_member_awaiting_a_correction_cannot_be_disclosed(member, make_member):
    other = make_member(username="other01")
    record_request(member=member, kind="correction", channel="letter")
    with pytest.raises(ValidationError) as refused:
        record_disclosure(recipient="Police", basis="consent", items="ID", members=[other, member])
    assert refused.value.code == "restricted"
    assert refused.value.params == {"ids": member.username}
    assert not Disclosure.objects.exists()


@pytest.mark.policy("7")
def test_the_admin_refuses_a_restricted_member_naming_only_the_id_typed(
    client, login_as, make_member
):
    make_member(username="first01", company="First Secret Co")
    restricted = make_member(username="second01", company="Second Secret Co")
    record_request(member=restricted, kind="correction", channel="letter")
    login_as(superuser=True, username="admin01")
    response = client.post(
        reverse("admin:privacy_disclosure_add"), disclosure_form("first01 SECOND01")
    )
    assert response.status_code == 200 and not Disclosure.objects.exists()
    (error,) = response.context["adminform"].form.errors.as_data()["member_ids"]
    assert error.code == "restricted" and error.params == {"ids": "second01"}
    page = response.content.decode()
    assert "Second Secret Co" not in page and "First Secret Co" not in page


@pytest.mark.policy("7")
def test_once_the_correction_is_answered_the_member_may_be_disclosed(member):
    correction = record_request(member=member, kind="correction", channel="letter")
    resolve_request(request=correction, resolution="Company name corrected.")
    disclosure = record_disclosure(
        recipient="Police", basis="consent", items="ID", members=[member]
    )
    assert list(disclosure.entries.values_list("member", flat=True)) == [member.pk]


@pytest.mark.policy("3")
def test_editing_the_disclosure_date_moves_every_members_entry_in_one_update(
    client, login_as, make_member
):
    first, second = make_member(username="first01"), make_member(username="second01")
    disclosure = record_disclosure(
        recipient="Police", basis="statute", statute="Case 1", items="ID",
        members=[first, second], disclosed_at=SEOUL_MAY_1,
    )  # fmt: skip
    login_as(role=PRIVACY_OFFICER)
    url = reverse("admin:privacy_disclosure_change", args=[disclosure.pk])
    response = client.post(
        url, disclosure_form("first01 second01", disclosed_at_0="2026-04-20", statute="Case 1")
    )
    assert response.status_code == 302
    moved = SEOUL_MAY_1 - datetime.timedelta(days=11)
    assert set(DisclosedMember.objects.values_list("time", flat=True)) == {moved}
    disclosure.refresh_from_db()
    disclosure.disclosed_at = SEOUL_MAY_1
    with CaptureQueriesContext(connection) as queries:
        update_disclosure(disclosure=disclosure, members=[first, second])
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "privacy_disclosedmember"')]
    assert len(updates) == 1
    assert set(DisclosedMember.objects.values_list("time", flat=True)) == {SEOUL_MAY_1}
    assert (
        AccessRecord.objects.filter(
            target="privacy.disclosure", action=AccessRecord.Action.CHANGE
        ).count()
        == 2
    )


@pytest.mark.policy("7")
def test_an_edit_may_keep_a_member_restricted_since_but_not_add_one(login_as, client, make_member):
    named, added = make_member(username="first01"), make_member(username="second01")
    disclosure = record_disclosure(
        recipient="Police", basis="consent", items="ID", members=[named], disclosed_at=SEOUL_MAY_1
    )
    record_request(member=named, kind="correction", channel="letter")
    record_request(member=added, kind="correction", channel="letter")
    login_as(role=PRIVACY_OFFICER)
    url = reverse("admin:privacy_disclosure_change", args=[disclosure.pk])
    kept = client.post(url, disclosure_form("first01", recipient="Police, cyber unit"))
    assert kept.status_code == 302
    refused = client.post(url, disclosure_form("first01 second01"))
    assert refused.status_code == 200
    assert list(disclosure.entries.values_list("member", flat=True)) == [named.pk]
