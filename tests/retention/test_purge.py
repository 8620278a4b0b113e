"""purge_expired: each category disappears exactly when due, never a day earlier (§5, §6)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError
from django.db import connection
from django.db.models.signals import post_init, pre_delete
from django.test.utils import CaptureQueriesContext

from accounts.models import User, VisitRecord
from retention.models import ArchivedMember, ArchivedRecord, PurgeRun, member_key
from retention.registry import CATEGORIES, EXPIRING
from retention.services import holds
from retention.services import purge as purge_service
from retention.services.erasure import SQLITE_AUTOCHECKPOINT_PAGES
from tests.retention.conftest import BOTH, lock_held_elsewhere, make_row, purge, seoul

MADE = seoul(2024, 1, 31, 10, 0)
# The Civil Act rule by hand: counting starts on 1 February 2024, the day after.
DUE = {
    "visit": seoul(2024, 5, 1),
    "identity": seoul(2024, 8, 1),
    "misuse": seoul(2025, 2, 1),
    "complaint": seoul(2027, 2, 1),
    "contract": seoul(2029, 2, 1),
    "payment": seoul(2029, 2, 1),
    "staff_access": seoul(2026, 2, 1),
    "privilege_change": seoul(2027, 2, 1),
}
SOURCES = [
    pytest.param(entry.key, source.model, id=f"{entry.key}-{source.model}")
    for entry in CATEGORIES
    for source in entry.sources
    if source.purge
]
ONE_SECOND = datetime.timedelta(seconds=1)

pytestmark = [pytest.mark.policy("6"), pytest.mark.django_db(databases=BOTH)]


def count(model_label, key):
    source = next(
        s for e in CATEGORIES if e.key == key for s in e.sources if s.model == model_label
    )
    return source.rows().count()


def test_every_category_has_a_hand_computed_due_date():
    assert set(DUE) == {entry.key for entry in CATEGORIES}


@pytest.mark.policy("5 가", "5 나")
@pytest.mark.parametrize("key, model_label", SOURCES)
def test_each_registered_record_disappears_exactly_when_due(key, model_label, make_member):
    member = make_member(username="holder01")
    make_row(model_label, at=MADE, member=member, category=key)
    purge(at=DUE[key] - ONE_SECOND)
    assert count(model_label, key) == 1, "destroyed before its due date"
    purge(at=DUE[key])
    assert count(model_label, key) == 0, "kept past its due date"


@pytest.mark.policy("5 가", "5 나")
def test_a_day_before_the_due_date_nothing_is_destroyed(make_member):
    member = make_member(username="holder01")
    for entry in CATEGORIES:
        for source in entry.sources:
            if source.purge:
                make_row(source.model, at=MADE, member=member, category=entry.key)
    purge(at=min(DUE.values()) - datetime.timedelta(days=1))
    for entry in CATEGORIES:
        for source in entry.sources:
            if source.purge:
                assert count(source.model, entry.key) == 1, (entry.key, source.model)


@pytest.mark.policy("5 가")
def test_a_leap_day_misuse_record_is_due_on_1_march_a_year_later(make_member):
    member = make_member(username="holder01")
    make_row("accounts.misuserecord", at=seoul(2024, 2, 29, 9, 0), member=member, category="misuse")
    purge(at=seoul(2025, 2, 28, 23, 59, 59))
    assert count("accounts.misuserecord", "misuse") == 1
    purge(at=seoul(2025, 3, 1))
    assert count("accounts.misuserecord", "misuse") == 0


@pytest.mark.policy("6 가")
def test_the_archive_holds_a_withdrawn_member_five_years_then_nothing(closed_member):
    purge(at=seoul(2024, 3, 15, 12, 0))
    assert not User.objects.filter(pk=closed_member.pk).exists()
    assert ArchivedMember.objects.count() == 1
    # Withdrawn 15 March 2024: counting from 16 March, five years end on 15 March 2029.
    purge(at=seoul(2029, 3, 15, 23, 59, 59))
    assert ArchivedMember.objects.filter(username="leaver01").exists()
    purge(at=seoul(2029, 3, 16))
    assert not ArchivedMember.objects.exists()
    assert not ArchivedRecord.objects.exists()


@pytest.mark.policy("6 가")
def test_archived_records_keep_their_own_due_dates(closed_member):
    purge(at=seoul(2024, 3, 15, 12, 0))
    categories = set(ArchivedRecord.objects.values_list("category", flat=True))
    assert {"visit", "identity", "misuse"} <= categories
    purge(at=seoul(2024, 5, 1))  # the visit of 31 January is due
    assert not ArchivedRecord.objects.filter(category="visit").exists()
    assert ArchivedRecord.objects.filter(category="identity").exists()
    purge(at=seoul(2024, 8, 1))
    assert not ArchivedRecord.objects.filter(category="identity").exists()
    assert ArchivedRecord.objects.filter(category="misuse").exists()


@pytest.mark.parametrize("source", EXPIRING, ids=lambda source: source.model)
def test_expired_sessions_and_codes_are_deleted_and_live_ones_kept(member, source):
    make_row(source.model, at=seoul(2026, 1, 1, 9, 0), member=member, category="")
    make_row(source.model, at=seoul(2026, 1, 1, 11, 0), member=member, category="")
    lines = purge(at=seoul(2026, 1, 1, 10, 0))
    assert list(source.rows().values_list(source.clock, flat=True)) == [seoul(2026, 1, 1, 11, 0)]
    assert any(line.startswith("sessions deleted=1 ") for line in lines)


@pytest.mark.policy("6 나")
def test_rows_are_deleted_in_batches_without_loading_a_single_instance(member):
    VisitRecord.objects.bulk_create(
        VisitRecord(time=MADE, member=member, method="GET", path=f"/{n}", status=200)
        for n in range(23)
    )
    # As many staying rows as due ones: the table is emptied in batches, not rebuilt.
    live = {
        VisitRecord.objects.create(member=member, method="GET", path="/live", status=200).pk
        for _ in range(23)
    }
    loaded = []

    def count_instances(sender, instance, **kwargs):
        loaded.append(instance)

    # A delete receiver is what makes QuerySet.delete() fetch every row before deleting it.
    post_init.connect(count_instances, sender=VisitRecord)
    pre_delete.connect(count_instances, sender=VisitRecord)
    try:
        lines = purge("--batch-size", "5", at=DUE["visit"])
    finally:
        post_init.disconnect(count_instances, sender=VisitRecord)
        pre_delete.disconnect(count_instances, sender=VisitRecord)
    assert loaded == []
    assert set(VisitRecord.objects.values_list("pk", flat=True)) == live
    assert any(line.startswith("visit deleted=23 ") for line in lines)


def test_batches_skip_gaps_and_live_rows_between_due_ones(member):
    for n in range(40):
        # Every third row is live; every fifth gets deleted now, leaving holes in the keys.
        time = MADE if n % 3 else DUE["visit"]
        VisitRecord.objects.create(time=time, member=member, method="GET", path=f"/{n}", status=200)
    VisitRecord.objects.filter(path__in=[f"/{n}" for n in range(0, 40, 5)]).delete()
    live = set(VisitRecord.objects.filter(time=DUE["visit"]).values_list("pk", flat=True))
    due = VisitRecord.objects.filter(time=MADE).count()
    lines = purge("--batch-size", "4", at=DUE["visit"])
    assert set(VisitRecord.objects.values_list("pk", flat=True)) == live
    assert any(line.startswith(f"visit deleted={due} ") for line in lines)


@pytest.mark.policy("6 나")
def test_a_dry_run_reports_what_would_go_and_changes_nothing(closed_member, make_member):
    other = make_member(username="stayer01")
    make_row("accounts.visitrecord", at=MADE, member=other, category="visit")
    lines = purge("--dry-run", at=DUE["visit"])
    assert User.objects.filter(pk=closed_member.pk).exists()
    assert not ArchivedMember.objects.exists()
    assert VisitRecord.objects.filter(member=other).count() == 1
    assert not PurgeRun.objects.exists()
    assert "archive to_archive=1 records=0 waiting=0" in lines
    assert any(line.startswith("visit due=2 ") for line in lines)


def test_one_summary_line_per_category_plus_inquiries_archive_sessions_and_erase(member):
    lines = purge(at=DUE["visit"])
    keys = [line.split()[0] for line in lines]
    assert keys == [
        "inquiries", "archive", *[entry.key for entry in CATEGORIES], "sessions", "erase",
    ]  # fmt: skip
    for line in lines[2:-1]:
        assert "deleted=" in line and "oldest_remaining=" in line and "elapsed=" in line


def test_output_names_no_member(closed_member):
    lines = purge(at=DUE["contract"])
    text = "\n".join(lines)
    assert "leaver01" not in text and "Leaving Co" not in text and "10.0.0." not in text


def test_a_second_run_exits_75_while_another_holds_the_lock(member):
    make_row("accounts.visitrecord", at=MADE, member=member, category="visit")
    with lock_held_elsewhere(), pytest.raises(CommandError) as raised:
        purge(at=DUE["visit"])
    assert raised.value.returncode == 75
    assert VisitRecord.objects.filter(time=MADE).count() == 1
    assert not PurgeRun.objects.exists()


def test_the_lock_is_released_after_a_run(member):
    purge(at=DUE["visit"])
    purge(at=DUE["visit"])
    assert PurgeRun.objects.count() == 2


def test_each_run_is_recorded_with_counts_and_no_personal_data(closed_member):
    purge(at=DUE["contract"] + datetime.timedelta(days=60))
    run = PurgeRun.objects.get()
    assert run.outcome == PurgeRun.Outcome.DONE
    assert run.finished_at >= run.started_at
    assert run.archived_members == 1
    assert run.counts["contract"] == {"deleted": 1, "held": 0}
    assert run.counts["visit"]["deleted"] == 1
    assert "leaver01" not in str(run.counts) and run.error == ""


def test_a_failed_run_exits_1_is_recorded_and_leaves_rows_in_place(member, monkeypatch):
    from django.db import DatabaseError

    from retention.services import purge as services

    make_row("accounts.visitrecord", at=MADE, member=member, category="visit")

    def fail(rows):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "delete_rows", fail)
    with pytest.raises(CommandError) as raised:
        purge(at=DUE["visit"])
    assert raised.value.returncode == 1
    run = PurgeRun.objects.get()
    assert run.outcome == PurgeRun.Outcome.FAILED and run.error == "DatabaseError"
    assert VisitRecord.objects.filter(time=MADE).count() == 1


@pytest.mark.django_db(databases=BOTH)
def test_sqlite_checkpoints_wait_for_the_erasure_while_the_purge_deletes(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's WAL checkpoints; PostgreSQL rewrites instead")
    seen = []

    def purge_all(**options):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            seen.append(cursor.fetchone()[0])
        return []

    monkeypatch.setattr(purge_service, "_purge_all", purge_all)
    purge_service.purge_expired()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        after = cursor.fetchone()[0]
    assert (seen, after) == ([0], SQLITE_AUTOCHECKPOINT_PAGES)


def visit_table_schema() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'accounts_visitrecord' "
            "ORDER BY name"
        )
        return cursor.fetchall()


def visits() -> list[dict]:
    return list(VisitRecord.objects.order_by("pk").values())


@pytest.mark.policy("6 나", "5 나")
def test_a_table_mostly_due_is_rebuilt_with_exactly_the_rows_that_stay(make_member):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL drops the months of a partitioned table instead")
    held, free = make_member(username="held0001"), make_member(username="free0001")
    holds.place_hold(
        member_key=member_key(held.pk),
        reason="Dispute 2024-17",
        review_on=datetime.date(2025, 1, 1),
        placed_by=None,
    )
    staying = [
        VisitRecord.objects.create(
            time=DUE["visit"], member=member, ip="10.0.0.9", method="POST", path="/s", status=302
        )
        for member in (held, free, None)
    ]
    for member in (held, held, *(free, None) * 10):
        VisitRecord.objects.create(
            time=MADE, member=member, ip="10.0.0.8", method="GET", path="/d", status=200
        )
    highest = VisitRecord.objects.order_by("pk").last().pk
    schema = visit_table_schema()
    expected = [
        row for row in visits() if row["time"] == DUE["visit"] or row["member_id"] == held.pk
    ]

    with CaptureQueriesContext(connection) as queries:
        lines = purge("--batch-size", "5", at=DUE["visit"])

    assert any('DROP TABLE "accounts_visitrecord"' in query["sql"] for query in queries)
    assert visits() == expected
    assert len(expected) == len(staying) + 2
    assert any(line.startswith("visit deleted=20 held=2 ") for line in lines)
    assert visit_table_schema() == schema
    # The last ids went with their rows; AUTOINCREMENT still never hands one out twice.
    assert VisitRecord.objects.create(method="GET", path="/n", status=200).pk == highest + 1


def test_a_table_mostly_staying_is_emptied_in_windows(member):
    for n in range(12):
        VisitRecord.objects.create(
            time=MADE if n < 6 else DUE["visit"], member=member, method="GET", path="/", status=200
        )
    with CaptureQueriesContext(connection) as queries:
        lines = purge("--batch-size", "2", at=DUE["visit"])
    assert not any("DROP TABLE" in query["sql"] for query in queries)
    assert VisitRecord.objects.filter(time=MADE).count() == 0
    assert any(line.startswith("visit deleted=6 ") for line in lines)
