"""Every write of retention: moving closed accounts to the archive, the purge, legal holds.

Policy §6 가: a withdrawn member's data the law makes us keep moves to a separate database and
everything else about them is destroyed; policy §5: each kept record is destroyed once its
period has lapsed, and never before.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.db.models import Min, ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import MemberSession
from privacy.models import Consent
from retention import selectors
from retention.erasure import cascade_tables, delete_rows, make_unrecoverable
from retention.exceptions import ArchiveIncomplete, PurgeFailed
from retention.locks import purge_lock
from retention.models import ArchivedMember, ArchivedRecord, LegalHold, PurgeRun, source_key
from retention.registry import CATEGORIES, EXPIRING, Category, Source, purge_cutoff

logger = logging.getLogger("nexcore.retention")

ARCHIVE = "archive"
PRIMARY = "default"
# Members moved per round trip, and rows copied per archive transaction: both bound memory.
MEMBER_BATCH = 200
RECORD_CHUNK = 1000
SESSION_KEY = "sessions"

Progress = Callable[[str, int], None]


# --- Moving closed accounts to the archive (policy §6 가) -----------------------------------


@dataclass
class ArchiveResult:
    members: int = 0
    records: int = 0
    failed: int = 0
    dry_run: bool = False
    tables: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def archivable_sources() -> list[tuple[Category, Source]]:
    """The primary-database sources whose rows a withdrawn member takes to the archive."""
    return [
        (entry, source)
        for entry in CATEGORIES
        for source in entry.sources
        if source.purge and source.database == PRIMARY and source.owners
    ]


def _json_ready(row: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime.datetime) else value
        for name, value in row.items()
    }


def _copy_members(members: list) -> None:
    """Upsert the archived member rows (contract records) of ``members``: step 1 of the move."""
    consents = defaultdict(list)
    for consent in (
        Consent.objects.filter(member__in=members)
        .order_by("given_at", "pk")
        .values("member_id", "policy_version__label", "kind", "given_at", "ip")
    ):
        consents[consent["member_id"]].append(
            {
                "policy_version": consent["policy_version__label"],
                "kind": consent["kind"],
                "given_at": consent["given_at"].isoformat(),
                "ip": consent["ip"],
            }
        )
    rows = [
        ArchivedMember(
            source_key=source_key(member, member.pk),
            username=member.username,
            company=member.company,
            project=member.project,
            product_name=member.product.name if member.product else "",
            date_joined=member.date_joined,
            closed_at=member.closed_at,
            consents=consents[member.pk],
        )
        for member in members
    ]
    with transaction.atomic(using=ARCHIVE):
        ArchivedMember.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["source_key"],
            update_fields=[
                "username",
                "company",
                "project",
                "product_name",
                "date_joined",
                "closed_at",
                "consents",
            ],
        )
    keys = [row.source_key for row in rows]
    if ArchivedMember.objects.filter(source_key__in=keys).count() != len(keys):
        raise DatabaseError("archived member rows missing after the upsert")


def _copy_records(entry: Category, source: Source, rows: list[dict]) -> None:
    """Upsert ``rows`` of ``source`` into the archive and check they are all there."""
    model = source.model_class
    pk_name = model._meta.pk.attname
    copies = [
        ArchivedRecord(
            source_key=source_key(model, row[pk_name]),
            category=entry.key,
            member_key=row.pop("_member_key"),
            time=row[source.clock],
            data=_json_ready(row),
        )
        for row in rows
    ]
    with transaction.atomic(using=ARCHIVE):
        ArchivedRecord.objects.bulk_create(
            copies,
            update_conflicts=True,
            unique_fields=["source_key"],
            update_fields=["category", "member_key", "time", "data"],
            batch_size=500,
        )
    keys = [copy.source_key for copy in copies]
    if ArchivedRecord.objects.filter(source_key__in=keys).count() != len(keys):
        raise DatabaseError("archived records missing after the upsert")


def _owner_key(source: Source, row: dict, by_pk: dict, by_username: dict) -> str:
    for column, _kind in source.owners:
        value = row.get(column if column in row else f"{column}_id")
        key = by_pk.get(value) or by_username.get(value)
        if key:
            return key
    raise LookupError("row names none of the members being archived")


def _delete_primary_rows(model, pks: list[int]) -> int:
    """Step 2 of the move: delete rows whose archive copies are committed and checked."""
    return delete_rows(model._base_manager.using(PRIMARY).filter(pk__in=pks))


def _delete_members(members: list) -> None:
    """Step 3: the member rows themselves, with their consents and sessions, in one transaction.

    A foreign key that still points at a member (a record written since the copy) makes the
    delete fail with ProtectedError and the transaction roll back: the next run copies it too.
    """
    pks = [member.pk for member in members]
    with transaction.atomic(using=PRIMARY):
        delete_rows(Consent.objects.filter(member__in=pks))
        delete_rows(MemberSession.objects.filter(member__in=pks))
        get_user_model().objects.filter(pk__in=pks).delete()


def _move(members: list, result: ArchiveResult) -> None:
    """Copy-then-delete ``members`` and every record that names them.

    The databases share no transaction, so each step commits before the next starts: every
    record is at each instant in the primary, the archive or both, and the upserts keyed by
    source table and primary key make a re-run after a crash converge without duplicates.
    """
    by_pk = {member.pk: source_key(member, member.pk) for member in members}
    by_username = {member.username: by_pk[member.pk] for member in members}
    _copy_members(members)
    for entry, source in archivable_sources():
        model = source.model_class
        owned = source.rows().filter(source.owned_by(pks=list(by_pk), usernames=list(by_username)))
        last = None
        while True:
            window = owned if last is None else owned.filter(pk__gt=last)
            rows = list(window.order_by("pk").values()[:RECORD_CHUNK])
            if not rows:
                break
            pk_name = model._meta.pk.attname
            last = rows[-1][pk_name]
            for row in rows:
                row["_member_key"] = _owner_key(source, row, by_pk, by_username)
            pks = [row[pk_name] for row in rows]
            _copy_records(entry, source, rows)
            _delete_primary_rows(model, pks)
            result.records += len(rows)
            result.tables[PRIMARY].update(cascade_tables(model))
    _delete_members(members)
    result.members += len(members)
    result.tables[PRIMARY].update(
        [Consent._meta.db_table, MemberSession._meta.db_table, get_user_model()._meta.db_table]
    )


def archive_closed_accounts(*, dry_run: bool = False) -> ArchiveResult:
    """Move every closed account to the archive database (policy §6 가), batch by batch.

    The archived member record is the ``contract`` record, due five years after withdrawal;
    each of the member's records keeps its own category and due date. Afterwards the primary
    database holds nothing that names the member, not even in freed pages (policy §6 나).
    Raises ArchiveIncomplete, after moving all the others, when some members could not be moved.
    """
    result = _archive(dry_run=dry_run)
    if not dry_run:
        make_unrecoverable({PRIMARY: result.tables[PRIMARY], ARCHIVE: result.tables[ARCHIVE]})
    if result.failed:
        raise ArchiveIncomplete(result.failed)
    return result


def _archive(*, dry_run: bool) -> ArchiveResult:
    result = ArchiveResult(dry_run=dry_run)
    closed = get_user_model().objects.filter(closed_at__isnull=False).select_related("product")
    if dry_run:
        result.members = closed.count()
        return result
    last = 0
    while members := list(closed.filter(pk__gt=last).order_by("pk")[:MEMBER_BATCH]):
        last = members[-1].pk
        try:
            _move(members, result)
        except (ProtectedError, RestrictedError):
            # One member gained a record since it was copied; move the others one by one so
            # they are not held back, and leave that one (in both databases) for the next run.
            for member in members:
                try:
                    _move([member], result)
                except (ProtectedError, RestrictedError):
                    result.failed += 1
    return result


# --- The purge (policy §5, §6 나) -------------------------------------------------------------


@dataclass
class CategoryOutcome:
    key: str
    deleted: int = 0
    held: int = 0
    oldest_remaining: datetime.datetime | None = None
    elapsed: float = 0.0

    def summary_line(self, *, dry_run: bool) -> str:
        oldest = (
            timezone.localtime(self.oldest_remaining).isoformat() if self.oldest_remaining else "-"
        )
        verb = "due" if dry_run else "deleted"
        return (
            f"{self.key} {verb}={self.deleted} held={self.held} "
            f"oldest_remaining={oldest} elapsed={self.elapsed:.2f}s"
        )


@dataclass
class PurgeResult:
    dry_run: bool
    archived: ArchiveResult
    categories: list[CategoryOutcome]
    run: PurgeRun | None = None

    def summary_lines(self) -> list[str]:
        verb = "to_archive" if self.dry_run else "archived"
        lines = [f"archive {verb}={self.archived.members} records={self.archived.records}"]
        lines += [outcome.summary_line(dry_run=self.dry_run) for outcome in self.categories]
        return lines


def _due_rows(source: Source, cutoff: datetime.datetime, holds: selectors.Holds):
    rows = source.rows().filter(**{f"{source.clock}__lt": cutoff})
    held = holds.filter_for(source)
    return rows, (rows.exclude(held) if held is not None else rows), held


def _purge_source(rows, *, batch_size: int, progress: Progress | None, key: str, done: int) -> int:
    """Delete ``rows`` in windows of ``batch_size`` consecutive primary keys, one transaction each.

    A window holds at most ``batch_size`` rows, so memory and lock time are bounded at any table
    size; each window starts at the next due key, so gaps cost one indexed lookup, and every row
    is read once, by the DELETE itself. A failure leaves whole windows deleted or not.
    """
    if not isinstance(rows.model._meta.pk, models.AutoField | models.BigAutoField):
        return _purge_by_offset(rows, batch_size=batch_size, progress=progress, key=key, done=done)
    deleted = 0
    start = _first_key(rows)
    while start is not None:
        end = start + batch_size
        deleted += delete_rows(rows.filter(pk__gte=start, pk__lt=end))
        if progress:
            progress(key, done + deleted)
        start = _first_key(rows.filter(pk__gte=end))
    return deleted


def _purge_by_offset(rows, *, batch_size: int, progress, key: str, done: int) -> int:
    """For keys that cannot be counted in windows (session keys): bound each batch by its
    ``batch_size``-th due key."""
    deleted, last = 0, None
    while True:
        window = rows if last is None else rows.filter(pk__gt=last)
        bound = window.order_by("pk").values_list("pk", flat=True)[batch_size - 1 : batch_size]
        bound = list(bound)
        deleted += delete_rows(window.filter(pk__lte=bound[0]) if bound else window)
        if progress:
            progress(key, done + deleted)
        if not bound:
            return deleted
        last = bound[0]


def _first_key(rows):
    return rows.order_by("pk").values_list("pk", flat=True).first()


def _oldest(sources, clock_of=lambda source: source.clock) -> datetime.datetime | None:
    oldest = [source.rows().aggregate(oldest=Min(clock_of(source)))["oldest"] for source in sources]
    return min((moment for moment in oldest if moment is not None), default=None)


def _purge_category(
    key: str,
    sources: tuple[Source, ...],
    cutoff: datetime.datetime,
    *,
    holds: selectors.Holds,
    dry_run: bool,
    batch_size: int,
    progress: Progress | None,
    tables: dict[str, set[str]],
) -> CategoryOutcome:
    started = time.monotonic()
    outcome = CategoryOutcome(key)
    for source in sources:
        if not source.purge:
            continue
        due_rows, unheld, held = _due_rows(source, cutoff, holds)
        if held is not None:
            outcome.held += due_rows.filter(held).count()
        if dry_run:
            outcome.deleted += unheld.count()
            continue
        deleted = _purge_source(
            unheld, batch_size=batch_size, progress=progress, key=key, done=outcome.deleted
        )
        if deleted:
            tables[source.database].update(cascade_tables(source.model_class))
        outcome.deleted += deleted
    outcome.oldest_remaining = _oldest(sources)
    outcome.elapsed = time.monotonic() - started
    return outcome


def purge_expired(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 50_000,
    progress: Progress | None = None,
) -> PurgeResult:
    """Archive closed accounts, then destroy every record whose period has lapsed (policy §5, §6).

    Per category of the registry, rows due at ``now`` are deleted in both databases, held rows
    skipped, and nothing is deleted before its due date; expired sessions go too. Then the
    deleted bytes are made unrecoverable. One run at a time: raises PurgeLocked when another
    holds the lock, PurgeFailed (after recording the failed run) when a step fails. A dry run
    counts what would go and changes nothing, not even the run log.
    """
    now = now or timezone.now()
    with purge_lock():
        run = None if dry_run else PurgeRun.objects.create(started_at=now)
        try:
            # A member who could not be moved keeps their records in the primary database,
            # where the purge still destroys what is due; the run then ends as failed.
            archived = _archive(dry_run=dry_run)
            outcomes = _purge_all(
                now=now,
                dry_run=dry_run,
                batch_size=batch_size,
                progress=progress,
                tables=archived.tables,
            )
            error = ArchiveIncomplete(archived.failed) if archived.failed else None
            _record(run, archived=archived, outcomes=outcomes, error=error)
            if not dry_run:
                # Last, so that not even the run log's own write is left in a WAL.
                make_unrecoverable(
                    {PRIMARY: archived.tables[PRIMARY], ARCHIVE: archived.tables[ARCHIVE]}
                )
            if error is not None:
                raise error
        except Exception as error:
            if run is not None and run.outcome != PurgeRun.Outcome.FAILED:
                _record(run, error=error)
            logger.error("purge_expired failed: %s", type(error).__name__)
            raise PurgeFailed(type(error).__name__) from error
    return PurgeResult(dry_run=dry_run, archived=archived, categories=outcomes, run=run)


def _purge_all(
    *,
    now: datetime.datetime,
    dry_run: bool,
    batch_size: int,
    progress: Progress | None,
    tables: dict[str, set[str]],
) -> list[CategoryOutcome]:
    options = {"dry_run": dry_run, "batch_size": batch_size, "progress": progress, "tables": tables}
    holds = selectors.active_holds()
    outcomes = [
        _purge_category(entry.key, entry.sources, purge_cutoff(entry, now), holds=holds, **options)
        for entry in CATEGORIES
    ]
    outcomes.append(_purge_category(SESSION_KEY, EXPIRING, now, holds=selectors.Holds(), **options))
    return outcomes


def _record(
    run: PurgeRun | None,
    *,
    archived: ArchiveResult | None = None,
    outcomes: list[CategoryOutcome] = (),
    error: Exception | None = None,
) -> None:
    """Write the run log: counts and the error's class only, never a row's content."""
    if run is None:
        return
    run.finished_at = timezone.now()
    run.outcome = PurgeRun.Outcome.FAILED if error else PurgeRun.Outcome.DONE
    run.error = type(error).__name__ if error else ""
    if archived is not None:
        run.archived_members = archived.members
    if outcomes:
        run.counts = {
            outcome.key: {"deleted": outcome.deleted, "held": outcome.held} for outcome in outcomes
        }
    run.save()


# --- Legal holds ------------------------------------------------------------------------------


def place_hold(*, member_key: str, reason: str, review_on: datetime.date, placed_by) -> LegalHold:
    """Keep the member's records past their due dates until the hold is lifted."""
    return LegalHold.objects.create(
        member_key=member_key, reason=reason, review_on=review_on, placed_by=placed_by
    )


def lift_hold(*, hold: LegalHold, lifted_by, now: datetime.datetime | None = None) -> LegalHold:
    """End the hold; the next purge destroys whatever fell due meanwhile."""
    hold.lifted_at = now or timezone.now()
    hold.lifted_by = lifted_by
    hold.save(update_fields=["lifted_at", "lifted_by"])
    return hold
