"""Admin: legal holds placed by ID and lifted, purge runs read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retention.models import ArchivedMember, LegalHold, PurgeRun, member_key
from retention.services import archiving, holds
from staff.models import AccessRecord
from tests.retention.conftest import BOTH

pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=BOTH)]


@pytest.fixture
def admin_client(client, login_as, settings):
    settings.STAFF_REQUIRE_2FA = False  # the second factor has its own tests (tests/staff)
    login_as(superuser=True, username="admin01")
    return client


def test_a_hold_is_placed_on_an_archived_member_by_their_id(admin_client, closed_member):
    archiving.archive_closed_accounts()
    response = admin_client.post(
        reverse("admin:retention_legalhold_add"),
        {"member_id": "leaver01", "reason": "Dispute 17", "review_on": "2027-01-01"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.member_key == ArchivedMember.objects.get().source_key
    assert hold.placed_by.username == "admin01"
    page = admin_client.get(reverse("admin:retention_legalhold_changelist"))
    assert "leaver01" in page.content.decode()


@pytest.mark.policy("9 다")
def test_listing_the_holds_is_an_access_record_naming_the_held_member(admin_client, member):
    holds.place_hold(
        member_key=member_key(member.pk), reason="x", review_on="2027-01-01", placed_by=None
    )
    page = admin_client.get(reverse("admin:retention_legalhold_changelist"))
    assert member.username in page.content.decode()
    record = AccessRecord.objects.get(action=AccessRecord.Action.LIST)
    assert record.member == member and record.target == "retention.legalhold"


def test_a_hold_on_an_unknown_id_is_refused(admin_client, db):
    response = admin_client.post(
        reverse("admin:retention_legalhold_add"),
        {"member_id": "nobody99", "reason": "x", "review_on": "2027-01-01"},
    )
    assert response.status_code == 200
    assert not LegalHold.objects.exists()


def test_the_lift_action_lifts_and_keeps_the_hold(admin_client, member):
    hold = holds.place_hold(
        member_key=member_key(member.pk), reason="x", review_on="2027-01-01", placed_by=None
    )
    admin_client.post(
        reverse("admin:retention_legalhold_changelist"),
        {"action": "lift", "_selected_action": [hold.pk]},
    )
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by.username == "admin01"


def test_purge_runs_are_shown_read_only(admin_client, db):
    run = PurgeRun.objects.create(outcome=PurgeRun.Outcome.DONE, counts={"visit": {"deleted": 3}})
    assert admin_client.get(reverse("admin:retention_purgerun_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:retention_purgerun_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:retention_purgerun_change", args=[run.pk]), {"outcome": "failed"}
    )
    assert change.status_code == 403
    run.refresh_from_db()
    assert run.outcome == PurgeRun.Outcome.DONE


@pytest.mark.policy("9 다")
def test_placing_and_revising_a_hold_in_admin_go_through_the_services(admin_client, member):
    response = admin_client.post(
        reverse("admin:retention_legalhold_add"),
        {"member_id": member.username, "reason": "Dispute 17", "review_on": "2027-01-01"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.member_key == member_key(member.pk) and hold.placed_by.username == "admin01"
    url = reverse("admin:retention_legalhold_change", args=[hold.pk])
    response = admin_client.post(
        url, {"member_id": "", "reason": "Dispute 17, appeal", "review_on": "2027-06-01"}
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.reason == "Dispute 17, appeal" and str(hold.review_on) == "2027-06-01"
    assert hold.placed_by.username == "admin01" and hold.lifted_at is None
    actions = AccessRecord.objects.filter(target="retention.legalhold", member=member)
    assert set(actions.values_list("action", flat=True)) >= {
        AccessRecord.Action.ADD,
        AccessRecord.Action.CHANGE,
    }
