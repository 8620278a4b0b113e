"""Policy §3 disclosures, and §7: recipients are told of a later correction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from privacy.models import CorrectionNotice, Disclosure
from privacy.selectors import pending_notices
from privacy.services import record_disclosure
from staff.models import AccessRecord
from staff.roles import PRIVACY_OFFICER


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
