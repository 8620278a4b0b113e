"""PostgreSQL: visit records expire a month at a time, by dropping the month's partition.

The rows of a month whose every row is due go with its files (policy §6 나) — except held
rows, which move to the DEFAULT partition — while the month the cutoff falls in is purged row
by row, never a day early (policy §5).
"""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import VisitRecord
from retention import partitions
from retention.models import member_key
from retention.registry import category
from retention.services import holds
from tests.retention.conftest import purge, seoul

pytestmark = [pytest.mark.policy("6 나"), pytest.mark.django_db]

VISITS = next(
    source for source in category("visit").sources if source.model == "accounts.visitrecord"
)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps the visit records in one table")


def visit(at, member=None) -> VisitRecord:
    return VisitRecord.objects.create(time=at, member=member, method="GET", path="/", status=200)


def month_names() -> list[str]:
    return [partition.name for partition in partitions.months(VISITS)]


def rows_in_default() -> int:
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "accounts_visitrecord_default"')
        return cursor.fetchone()[0]


def test_the_table_is_partitioned_with_a_default_partition():
    assert partitions.is_partitioned(VISITS)
    assert partitions.default_partition(VISITS) == "accounts_visitrecord_default"


def test_a_run_makes_the_coming_months_and_moves_in_the_rows_waiting_for_them():
    waiting = visit(seoul(2026, 1, 20))
    purge(at=seoul(2026, 1, 10))
    assert month_names() == [f"accounts_visitrecord_p{month}" for month in (
        "202510", "202511", "202512", "202601", "202602", "202603",
    )]  # fmt: skip
    assert rows_in_default() == 0
    assert VisitRecord.objects.filter(pk=waiting.pk).exists()


def test_months_wholly_due_are_dropped_and_the_month_of_the_cutoff_purged_by_row():
    purge(at=seoul(2026, 1, 10))
    dropped = [visit(seoul(2025, 11, 5)), visit(seoul(2025, 11, 30, 23, 59))]
    due = visit(seoul(2025, 12, 20))
    kept = [visit(seoul(2025, 12, 26)), visit(seoul(2026, 1, 5))]
    lines = purge(at=seoul(2026, 3, 25))
    assert "accounts_visitrecord_p202511" not in month_names()
    assert "accounts_visitrecord_p202512" in month_names()
    remaining = set(VisitRecord.objects.values_list("pk", flat=True))
    assert remaining == {row.pk for row in kept}
    assert not remaining & {row.pk for row in [*dropped, due]}
    (visit_line,) = [line for line in lines if line.startswith("visit ")]
    assert "deleted=3 " in visit_line


def test_a_month_is_not_dropped_a_day_before_its_last_row_is_due():
    purge(at=seoul(2026, 1, 10))
    last = visit(seoul(2025, 11, 30, 23, 59))
    purge(at=seoul(2026, 2, 28, 12))
    assert "accounts_visitrecord_p202511" in month_names()
    assert VisitRecord.objects.filter(pk=last.pk).exists()
    purge(at=seoul(2026, 3, 1, 0, 1))
    assert "accounts_visitrecord_p202511" not in month_names()


def test_held_rows_of_a_dropped_month_are_kept_until_the_hold_is_lifted(member):
    purge(at=seoul(2026, 1, 10))
    held_visit = visit(seoul(2025, 11, 5), member=member)
    other = visit(seoul(2025, 11, 6))
    hold = holds.place_hold(
        member_key=member_key(member.pk), reason="lawsuit", review_on=seoul(2027, 1, 1).date(),
        placed_by=None,
    )  # fmt: skip
    lines = purge(at=seoul(2026, 3, 25))
    assert "accounts_visitrecord_p202511" not in month_names()
    assert VisitRecord.objects.filter(pk=held_visit.pk).exists()
    assert not VisitRecord.objects.filter(pk=other.pk).exists()
    assert rows_in_default() == 1
    assert any(line.startswith("visit ") and "held=1 " in line for line in lines)
    holds.lift_hold(hold=hold, lifted_by=None)
    purge(at=seoul(2026, 3, 26))
    assert not VisitRecord.objects.filter(pk=held_visit.pk).exists()


def test_a_dry_run_makes_and_drops_no_partition():
    purge(at=seoul(2026, 1, 10))
    visit(seoul(2025, 11, 5))
    before = month_names()
    lines = purge("--dry-run", at=seoul(2026, 3, 25))
    assert month_names() == before
    assert any(line.startswith("visit ") and "due=1 " in line for line in lines)
