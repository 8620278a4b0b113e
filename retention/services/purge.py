"""The purge: each kept record is destroyed once its period has lapsed.

Policy §5: records the law makes us keep are destroyed when their period ends, and never before;
policy §6 나: destroyed so that they cannot be reproduced. The purge first moves closed accounts
to the archive database (``retention.services.archiving``).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections, models
from django.db.models import Min, Q
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from retention import partitions, selectors
from retention.exceptions import ArchiveIncomplete, PurgeFailed
from retention.locks import purge_lock
from retention.models import PurgeRun
from retention.registry import CATEGORIES, EXPIRING, Source, as_moment, purge_cutoff
from retention.services.archiving import ARCHIVE, PRIMARY, ArchiveResult, move_closed_accounts
from retention.services.erasure import (
    Erasure,
    cascade_tables,
    checkpoints_deferred,
    delete_rows,
    erase,
    keep_only,
    reverse_relations,
    will_delete_from,
)
from support.services import close_resolved

logger = logging.getLogger("nexcore.retention")

SESSION_KEY = "sessions"

Progress = Callable[[str, int], None]


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
    erasure: Erasure = field(default_factory=Erasure)
    inquiries_closed: int = 0

    def summary_lines(self) -> list[str]:
        verb = "to_close" if self.dry_run else "closed"
        lines = [f"inquiries {verb}={self.inquiries_closed}", self.archived.summary_line()]
        lines += [outcome.summary_line(dry_run=self.dry_run) for outcome in self.categories]
        if not self.dry_run:
            lines.append(self.erasure.summary_line())
        return lines


# A table whose due rows outnumber those that stay by this factor is rebuilt with the others
# rather than emptied row by row, as long as it holds at most REBUILD_MAX_ROWS: the rebuild
# holds SQLite's write lock throughout (about a second per million rows here), well within
# the busy timeout (5 s) that a request writing meanwhile waits.
REBUILD_FACTOR = 2
REBUILD_MAX_ROWS = 2_000_000


def _due_rows(source: Source, cutoff: datetime.datetime, holds: selectors.Holds):
    # A date clock (a contract's end) is due when its day is before the cutoff's day: the cutoff
    # is a local midnight, and a DateField compares an instant by its date in TIME_ZONE.
    rows = source.rows().filter(**{f"{source.clock}__lt": cutoff})
    held = holds.filter_for(source)
    return rows, (rows.exclude(held) if held is not None else rows), held


def _survivors(source: Source, cutoff: datetime.datetime, held: Q | None):
    """The rows of ``source`` that stay, as a query over its whole table, when the table is one
    ``keep_only`` can rebuild: SQLite, the category's rows the whole table, the clock a column
    of its own, no row of another table pointing at it, no file going with its rows."""
    model = source.model_class
    if (
        connections[source.database].vendor != "sqlite"
        or source.where
        or LOOKUP_SEP in source.clock
        or model._meta.get_field(source.clock).null
        or source.files
        or reverse_relations(model)
    ):
        return None
    # The complement of "due and not held" (a row whose hold test is NULL is not held), written
    # so that the clock's index finds the rows that stay; with a NOT NULL clock it is exact.
    staying = Q(**{f"{source.clock}__gte": cutoff})
    return model._base_manager.using(source.database).filter(staying | held if held else staying)


def _rebuilt(rows, survivors, *, batch_size: int) -> int | None:
    """Rebuild the table if most of it is due (see REBUILD_FACTOR); None if it was not."""
    if survivors is None:
        return None
    due = rows.count()
    if due < batch_size:
        return None
    staying = survivors.model._base_manager.using(survivors.db).count() - due
    if due < REBUILD_FACTOR * staying or due + staying > REBUILD_MAX_ROWS:
        return None
    return keep_only(survivors)


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


def _oldest(sources) -> datetime.datetime | None:
    oldest = [
        as_moment(source.rows().aggregate(oldest=Min(source.clock))["oldest"]) for source in sources
    ]
    return min((moment for moment in oldest if moment is not None), default=None)


def _expire_months(
    source: Source, cutoff: datetime.datetime, *, now: datetime.datetime, holds: selectors.Holds
) -> tuple[int, list[str]]:
    """A table partitioned by month (PostgreSQL): make the coming months, drop each month whose
    rows are all due (held rows move to the DEFAULT partition). Returns the rows destroyed, and
    the partitions still to be purged row by row, which are then rewritten on every run."""
    partitions.ensure_months(source, now=now, cutoff=cutoff)
    destroyed = sum(
        partitions.drop_month(source, month, held_members=holds.pks)[0]
        for month in partitions.due_months(source, cutoff)
    )
    open_partitions = partitions.open_partitions(source, cutoff)
    will_delete_from(source.database, open_partitions)
    return destroyed, open_partitions


def _purge_category(
    key: str,
    sources: tuple[Source, ...],
    cutoff: datetime.datetime,
    *,
    now: datetime.datetime,
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
        if not dry_run and partitions.is_partitioned(source):
            destroyed, open_partitions = _expire_months(source, cutoff, now=now, holds=holds)
            outcome.deleted += destroyed
            tables[source.database].update(open_partitions)
        due_rows, unheld, held = _due_rows(source, cutoff, holds)
        if held is not None:
            outcome.held += due_rows.filter(held).count()
        if dry_run:
            outcome.deleted += unheld.count()
            continue
        deleted = _rebuilt(unheld, _survivors(source, cutoff, held), batch_size=batch_size)
        if deleted is None:
            deleted = _purge_source(
                unheld, batch_size=batch_size, progress=progress, key=key, done=outcome.deleted
            )
        elif progress:
            progress(key, outcome.deleted + deleted)
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

    First the support inquiries resolved ``SUPPORT_CLOSE_AFTER_DAYS`` ago are closed. Per
    category of the registry, rows due at ``now`` are deleted in both databases, held rows
    skipped, and nothing is deleted before its due date; expired sessions go too. Then the
    deleted bytes are made unrecoverable. One run at a time: raises PurgeLocked when another
    holds the lock, PurgeFailed (after recording the failed run) when a step fails. A dry run
    counts what would go and changes nothing, not even the run log.
    """
    now = now or timezone.now()
    with purge_lock():
        run = None if dry_run else PurgeRun.objects.create(started_at=now)
        try:
            # The daily run also closes the support inquiries resolved two weeks ago.
            closed = close_resolved(now=now, dry_run=dry_run)
            # A member who could not be moved keeps their records in the primary database,
            # where the purge still destroys what is due; the run then ends as failed.
            archived = move_closed_accounts(dry_run=dry_run)
            with checkpoints_deferred([PRIMARY, ARCHIVE]):
                outcomes = _purge_all(
                    now=now,
                    dry_run=dry_run,
                    batch_size=batch_size,
                    progress=progress,
                    tables=archived.tables,
                )
            error = ArchiveIncomplete(archived.failed) if archived.failed else None
            _record(run, archived=archived, outcomes=outcomes, error=error)
            erasure = Erasure()
            if not dry_run:
                # Last, so that not even the run log's own write is left in a WAL.
                erasure = erase(
                    {PRIMARY: archived.tables[PRIMARY], ARCHIVE: archived.tables[ARCHIVE]},
                    now=now,
                )
            if error is not None:
                raise error
        except Exception as error:
            if run is not None and run.outcome != PurgeRun.Outcome.FAILED:
                _record(run, error=error)
            logger.error("purge_expired failed: %s", type(error).__name__)
            raise PurgeFailed(type(error).__name__) from error
    return PurgeResult(
        dry_run=dry_run,
        archived=archived,
        categories=outcomes,
        run=run,
        erasure=erasure,
        inquiries_closed=closed,
    )


def _purge_all(
    *,
    now: datetime.datetime,
    dry_run: bool,
    batch_size: int,
    progress: Progress | None,
    tables: dict[str, set[str]],
) -> list[CategoryOutcome]:
    options = {
        "now": now,
        "dry_run": dry_run,
        "batch_size": batch_size,
        "progress": progress,
        "tables": tables,
    }
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
