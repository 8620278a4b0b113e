"""Legal holds: held records outlive their due date until the hold is lifted."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import User, VisitRecord
from retention.models import ArchivedMember, ArchivedRecord, member_key
from retention.services import holds
from tests.retention.conftest import BOTH, make_row, purge, seoul

pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=BOTH)]

MADE = seoul(2024, 1, 31, 10, 0)
VISIT_DUE = seoul(2024, 5, 1)


def hold(member_pk):
    return holds.place_hold(
        member_key=member_key(member_pk),
        reason="Dispute 2024-17",
        review_on=datetime.date(2025, 1, 1),
        placed_by=None,
    )


@pytest.mark.policy("5 나")
def test_held_records_are_skipped_and_counted(make_member):
    held, free = make_member(username="held0001"), make_member(username="free0001")
    hold(held.pk)
    for member in (held, free):
        make_row("accounts.visitrecord", at=MADE, member=member, category="visit")
        make_row("axes.accessattempt", at=MADE, member=member, category="misuse")
    lines = purge(at=seoul(2025, 6, 1))
    assert list(VisitRecord.objects.values_list("member", flat=True)) == [held.pk]
    assert any(line.startswith("visit deleted=1 held=1 ") for line in lines)
    assert any(line.startswith("misuse deleted=1 held=1 ") for line in lines)


@pytest.mark.policy("5 나")
def test_lifting_a_hold_lets_the_next_run_catch_up(make_member):
    member = make_member(username="held0001")
    the_hold = hold(member.pk)
    make_row("accounts.visitrecord", at=MADE, member=member, category="visit")
    purge(at=seoul(2025, 6, 1))
    assert VisitRecord.objects.count() == 1
    holds.lift_hold(hold=the_hold, lifted_by=None)
    purge(at=seoul(2025, 6, 2))
    assert VisitRecord.objects.count() == 0


@pytest.mark.policy("6 가")
def test_a_hold_on_a_member_still_holds_once_they_are_archived(closed_member):
    hold(closed_member.pk)
    purge(at=seoul(2024, 3, 16))
    assert not User.objects.filter(pk=closed_member.pk).exists()
    lines = purge(at=seoul(2030, 1, 1))
    assert ArchivedMember.objects.filter(username="leaver01").exists()
    assert ArchivedRecord.objects.filter(category="visit").exists()
    assert any(line.startswith("contract deleted=0 held=1 ") for line in lines)


def test_a_hold_on_one_archived_member_does_not_keep_another(make_member):
    kept, gone = make_member(username="kept0001"), make_member(username="gone0001")
    for member in (kept, gone):
        make_row("retention.archivedmember", at=MADE, member=member, category="contract")
        make_row("retention.archivedrecord", at=MADE, member=member, category="payment")
    hold(kept.pk)
    purge(at=seoul(2029, 2, 1))
    assert list(ArchivedMember.objects.values_list("username", flat=True)) == ["kept0001"]
    assert list(ArchivedRecord.objects.values_list("member_key", flat=True)) == [
        member_key(kept.pk)
    ]
