"""Moving closed accounts to the archive database (policy §6 가).

A withdrawn member's records that the law makes us keep are copied to the archive database with
their own due dates; then every trace of the member is deleted from the primary database. The
two databases share no transaction, so the move is copy-then-delete with stable keys and
idempotent upserts: each record is always in the primary, the archive or both, and a re-run
converges.

Members move in batches of ``MEMBER_BATCH``: each step reads or writes each table once for the
whole batch (and once per ``RECORD_CHUNK`` rows), never once per member, so the queries of a run
grow with its batches and its rows, not with its members.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, models, transaction
from django.db.models import CASCADE, SET_NULL, F, ForeignObjectRel, Value
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from privacy.models import Consent
from retention.exceptions import ArchiveFailed, ArchiveIncomplete
from retention.locks import purge_lock
from retention.models import ArchivedMember, ArchivedRecord, source_key
from retention.registry import (
    CATEGORIES,
    MEMBER_FK,
    WITH_THE_ACCOUNT,
    Category,
    Source,
    as_moment,
)
from retention.services.erasure import (
    Erasure,
    cascade_tables,
    delete_rows,
    erase,
    reverse_relations,
    will_delete_from,
)

logger = logging.getLogger("nexcore.retention")

ARCHIVE = "archive"
PRIMARY = "default"
# Members moved per batch, and rows copied per archive transaction: both bound memory, and a
# batch's keys and a chunk's keys each fit in one statement on both backends. Each batch costs
# a fixed round of queries over every table that names members; at 500 a batch, 10,000 accounts
# took a third longer on PostgreSQL than at 2,000, for 5 MB less memory.
MEMBER_BATCH = 2000
RECORD_CHUNK = 5000


@dataclass
class ArchiveResult:
    members: int = 0
    records: int = 0
    failed: int = 0
    waiting: int = 0
    dry_run: bool = False
    tables: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    erasure: Erasure | None = None

    def summary_line(self) -> str:
        verb = "to_archive" if self.dry_run else "archived"
        return f"archive {verb}={self.members} records={self.records} waiting={self.waiting}"


@dataclass(frozen=True)
class Batch:
    """Closed accounts moved together, with the archive key of each by primary key and by ID."""

    members: list
    by_pk: dict[int, str]
    by_username: dict[str, str]

    @classmethod
    def of(cls, members: list) -> Batch:
        by_pk = {member.pk: source_key(member, member.pk) for member in members}
        return cls(members, by_pk, {member.username: by_pk[member.pk] for member in members})

    def span(self) -> models.QuerySet:
        """The closed accounts from the batch's first key to its last: the batch, and perhaps a
        waiting member or one closed since the batch was read.

        Reads name the batch through it, as a subquery of two parameters: a list of 500 keys
        costs Django and psycopg about 4 ms a query, against 0.5 ms (measured on PostgreSQL),
        and the reads are a few dozen queries a batch. The rows they find of accounts outside
        the batch are left out in Python (``owner_key``); writes name their rows by key.
        """
        keys = sorted(self.by_pk)
        return (
            get_user_model()
            ._base_manager.using(PRIMARY)
            .filter(closed_at__isnull=False, pk__gte=keys[0], pk__lte=keys[-1])
        )

    def bounds(self, column: str) -> dict:
        """Lookups bounding a column naming members to the span's keys: the same rows as
        ``column__in=span()``, but PostgreSQL then reads the span's range of the column's
        index. Without them, expecting the batch's members to have as many visits as the
        average member (live members have far more than closed ones), it walked the whole
        visit table in key order: 1.1 s a batch at 1.1 million visits, against 3 ms."""
        keys = sorted(self.by_pk)
        return {f"{column}__gte": keys[0], f"{column}__lte": keys[-1]}

    def owner_key(self, source: Source, row: dict) -> str | None:
        """The archive key of the batch member ``row`` belongs to, or None for another's row."""
        for column, kind in source.owners:
            value = row.get(column if column in row else f"{column}_id")
            key = self.by_pk.get(value) if kind == MEMBER_FK else self.by_username.get(value)
            if key:
                return key
        return None


def archivable_sources() -> list[tuple[Category, Source]]:
    """The primary-database sources whose rows a withdrawn member takes to the archive."""
    return [
        (entry, source)
        for entry in CATEGORIES
        for source in entry.sources
        if source.purge and source.database == PRIMARY and source.owners
    ]


def _json_value(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        # Binary columns (an inquiry's data key) keep their bytes, as base64 text.
        return base64.b64encode(bytes(value)).decode()
    return value


def _json_ready(row: dict) -> dict:
    return {name: _json_value(value) for name, value in row.items()}


def _owned_rows(source: Source, batch: Batch, *fields: str, **expressions) -> Iterator[list[dict]]:
    """The rows of ``source`` that belong to the batch, ``RECORD_CHUNK`` at most at a time.

    One query per owner column and chunk: PostgreSQL can join a subquery on one column through
    its index, but scans the whole table for two ORed together. The caller may delete each
    chunk before asking for the next.
    """
    pk_name = source.model_class._meta.pk.attname
    for column, kind in source.owners:
        members = batch.span().values("pk" if kind == MEMBER_FK else "username")
        owned = source.rows().filter(**{f"{column}__in": members}).order_by("pk")
        if kind == MEMBER_FK:
            owned = owned.filter(**batch.bounds(column))
        last = None
        while True:
            window = owned if last is None else owned.filter(pk__gt=last)
            rows = list(window.values(*fields, **expressions)[:RECORD_CHUNK])
            if rows:
                last = rows[-1][pk_name]
            mine = [row for row in rows if batch.owner_key(source, row)]
            if mine:
                yield mine
            if len(rows) < RECORD_CHUNK:
                break


def _copy_members(batch: Batch) -> None:
    """Upsert the archived member rows (contract records) of the batch: step 1 of the move."""
    consents = defaultdict(list)
    for consent in (
        Consent.objects.filter(member__in=batch.span().values("pk"))
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
        {
            "source_key": batch.by_pk[member.pk],
            "username": member.username,
            "company": member.company,
            "project": member.project,
            "product_name": member.product.name if member.product else "",
            "date_joined": member.date_joined,
            "closed_at": member.closed_at,
            "consents": consents[member.pk],
        }
        for member in batch.members
    ]
    _upsert(ArchivedMember, rows)


def _copy_records(entry: Category, source: Source, rows: list[dict]) -> None:
    """Upsert ``rows`` of ``source`` into the archive and check they are all there."""
    model = source.model_class
    pk_name = model._meta.pk.attname
    copies = [
        {
            "source_key": source_key(model, row[pk_name]),
            "category": entry.key,
            "member_key": row.pop("_member_key"),
            "time": as_moment(row.pop("_clock")),
            "data": _json_ready(row),
        }
        for row in rows
    ]
    _upsert(ArchivedRecord, copies)


def _upsert(model, rows: list[dict]) -> None:
    """Insert ``rows`` (the same fields each, ``source_key`` among them) into the archive or
    update the copies already there, then check they are all there: a re-run after a crash
    converges without duplicates. A new row's other fields take their defaults."""
    connection = connections[ARCHIVE]
    with transaction.atomic(using=ARCHIVE):
        if connection.vendor == "postgresql":
            _copy_upsert(connection, model, rows)
        else:
            model.objects.bulk_create(
                [model(**row) for row in rows],
                update_conflicts=True,
                unique_fields=["source_key"],
                update_fields=[name for name in rows[0] if name != "source_key"],
                batch_size=500,
            )
    keys = [row["source_key"] for row in rows]
    if model.objects.filter(source_key__in=keys).count() != len(keys):
        raise DatabaseError(f"{model._meta.label} rows missing after the upsert")


def _copy_upsert(connection, model, rows: list[dict]) -> None:
    """``_upsert`` on PostgreSQL: the rows are streamed with ``COPY`` into a temporary table,
    then upserted in one statement. ``bulk_create`` sends each column as an array
    that psycopg escapes item by item in Python: for the JSON of 30,000 records that was a
    second and a half of a 10,000-account run."""
    quote = connection.ops.quote_name
    given = [model._meta.get_field(name) for name in rows[0]]
    defaulted = [
        field
        for field in model._meta.concrete_fields
        if field not in given and not field.primary_key and field.has_default()
    ]
    fields = [*given, *defaulted]
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    incoming = quote(f"incoming_{model._meta.db_table}")
    updates = ", ".join(
        f"{quote(field.column)} = EXCLUDED.{quote(field.column)}"
        for field in given
        if field.name != "source_key"
    )
    # Every name in these statements comes from the model's options, quoted.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {incoming} AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        defaults = [field.get_db_prep_save(field.get_default(), connection) for field in defaulted]
        # psycopg writes text, numbers and aware times as they are; JSON goes as its text.
        json_columns = [
            (index, field.encoder)
            for index, field in enumerate(given)
            if isinstance(field, models.JSONField)
        ]
        with cursor.cursor.copy(f"COPY {incoming} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [*row.values(), *defaults]
                for index, encoder in json_columns:
                    values[index] = json.dumps(values[index], cls=encoder)
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {incoming} "  # noqa: S608
            f"ON CONFLICT ({quote('source_key')}) DO UPDATE SET {updates}"
        )
        # Dropped here, not at commit: the caller's transaction may go on (a test's does).
        # A failure before this rolls the table back with the rest.
        cursor.execute(f"DROP TABLE {incoming}")


def _delete_primary_rows(model, pks: list[int], *, within: dict | None = None) -> int:
    """Step 2 of the move: delete rows whose archive copies are committed and checked.

    ``within`` bounds the rows' clock column to the range of the copied rows: the same rows,
    but PostgreSQL then looks for them only in the months of a partitioned table that can
    hold them, not in every month's index.
    """
    return delete_rows(model._base_manager.using(PRIMARY).filter(pk__in=pks, **within or {}))


def _clock_range(source: Source, rows: list[dict]) -> dict | None:
    """The lookups bounding ``source``'s own clock column to the rows' clocks, if it has one."""
    clocks = [row["_clock"] for row in rows]
    if LOOKUP_SEP in source.clock or None in clocks:
        return None
    return {f"{source.clock}__gte": min(clocks), f"{source.clock}__lte": max(clocks)}


def _rows_naming(batch: Batch) -> dict[ForeignObjectRel, set[int]]:
    """For each foreign key to the account, the batch's members its rows name: one query."""
    relations = reverse_relations(get_user_model())
    members = batch.span().values("pk")
    parts = [
        relation.related_model._base_manager.using(PRIMARY)
        .filter(**{f"{relation.field.name}__in": members}, **batch.bounds(relation.field.name))
        .order_by()
        .annotate(relation=Value(index))
        .values_list("relation", relation.field.attname)
        for index, relation in enumerate(relations)
    ]
    named = defaultdict(set)
    for index, pk in parts[0].union(*parts[1:]):
        if pk in batch.by_pk:
            named[relations[index]].add(pk)
    return named


def _protects(relation: ForeignObjectRel) -> bool:
    """Whether rows of ``relation`` keep the account they name (PROTECT, RESTRICT). Consents
    do not: they went to the archive inside the member row (step 1) and go with the account."""
    return relation.on_delete not in (CASCADE, SET_NULL) and relation.related_model is not Consent


def _delete_members(batch: Batch) -> set[int]:
    """Step 3: the member rows themselves, with their consents and sessions, in one transaction.

    Returns the keys of the members kept: a record written since the copy still names them
    (a foreign key that protects the account), and the next attempt copies it too. The
    dependants of the others are deleted or unlinked as ``Model.delete()`` would, but only in
    the tables that name a member of the batch, found in one query rather than one per table.
    """
    with transaction.atomic(using=PRIMARY):
        named = _rows_naming(batch)
        protected = [pks for relation, pks in named.items() if _protects(relation)]
        kept = set().union(*protected)
        gone = [pk for pk in batch.by_pk if pk not in kept]
        if not gone:
            return kept
        will_delete_from(PRIMARY, cascade_tables(get_user_model()))
        for relation, pks in named.items():
            if not pks - kept:
                continue
            dependants = relation.related_model._base_manager.using(PRIMARY).filter(
                **{f"{relation.field.name}__in": sorted(pks - kept)}
            )
            if relation.on_delete is SET_NULL:
                dependants.update(**{relation.field.name: None})
            else:
                delete_rows(dependants)
        # _raw_delete, as in delete_rows: the dependants are already gone.
        batch.span().filter(pk__in=gone)._raw_delete(PRIMARY)
    return kept


def _move(batch: Batch, result: ArchiveResult) -> set[int]:
    """Copy-then-delete the batch and every record that names its members; returns the keys
    of the members kept for a record written meanwhile (see ``_delete_members``).

    The databases share no transaction, so each step commits before the next starts: every
    record is at each instant in the primary, the archive or both, and the upserts keyed by
    source table and primary key make a re-run after a crash converge without duplicates.
    """
    _copy_members(batch)
    for entry, source in archivable_sources():
        model = source.model_class
        columns = [field.attname for field in model._meta.concrete_fields]
        pk_name = model._meta.pk.attname
        # The clock may follow a relation (a message's is its inquiry's resolution).
        for rows in _owned_rows(source, batch, *columns, _clock=F(source.clock)):
            for row in rows:
                row["_member_key"] = batch.owner_key(source, row)
            pks = [row[pk_name] for row in rows]
            within = _clock_range(source, rows)
            _copy_records(entry, source, rows)
            _delete_primary_rows(model, pks, within=within)
            result.records += len(rows)
            result.tables[PRIMARY].update(cascade_tables(model))
    _destroy_with_the_account(batch, result)
    kept = _delete_members(batch)
    result.members += len(batch.members) - len(kept)
    for model in (Consent, get_user_model()):
        result.tables[PRIMARY].update(cascade_tables(model))
    return kept


def _destroy_with_the_account(batch: Batch, result: ArchiveResult) -> None:
    """Delete what served the account alone (ordinary support inquiries): it is not kept."""
    for source in WITH_THE_ACCOUNT.sources:
        model = source.model_class
        columns = [model._meta.pk.attname, *(column for column, _kind in source.owners)]
        for rows in _owned_rows(source, batch, *columns):
            if _delete_primary_rows(model, [row[model._meta.pk.attname] for row in rows]):
                result.tables[PRIMARY].update(cascade_tables(model))


def _waiting(batch: Batch) -> set[int]:
    """The members some of whose records to keep have no running clock yet — an unanswered
    privacy request, an unresolved complaint: they stay until it is settled, so that the
    archive never holds a record whose period cannot start. One query for all the tables."""
    members = batch.span().values("pk")
    parts = [
        source.rows()
        .filter(**{f"{column}__in": members, f"{source.clock}__isnull": True})
        .filter(**batch.bounds(column))
        .order_by()
        .values_list(column, flat=True)
        for _entry, source in archivable_sources()
        for column, kind in source.owners
        if kind == MEMBER_FK
    ]
    return set(parts[0].union(*parts[1:])) & batch.by_pk.keys()


def archive_closed_accounts(*, dry_run: bool = False) -> ArchiveResult:
    """Move every closed account to the archive database (policy §6 가), batch by batch.

    The archived member record is the ``contract`` record, due five years after withdrawal;
    each of the member's records keeps its own category and due date. Afterwards the primary
    database holds nothing that names the member, not even in freed pages (policy §6 나); on
    PostgreSQL, visit records deleted from their monthly partitions go when the purge rewrites
    or drops the month (``retention.partitions``).
    Takes the purge lock, so that it never runs beside ``purge_expired`` or itself: raises
    PurgeLocked at once when another run holds it. Raises ArchiveIncomplete, after moving all
    the others, when some members could not be moved, and ArchiveFailed when the database
    failed; every record is then in the primary, the archive or both, and a re-run converges.
    """
    with purge_lock():
        try:
            result = move_closed_accounts(dry_run=dry_run)
            if not dry_run:
                result.erasure = erase(
                    {PRIMARY: result.tables[PRIMARY], ARCHIVE: result.tables[ARCHIVE]},
                    now=timezone.now(),
                )
        except DatabaseError as error:
            # The class only: a database's message may quote the row it stopped at.
            logger.error("archive_closed_accounts failed: %s", type(error).__name__)
            raise ArchiveFailed(type(error).__name__) from error
    if result.failed:
        raise ArchiveIncomplete(result.failed)
    return result


def move_closed_accounts(*, dry_run: bool) -> ArchiveResult:
    """Move what can be moved and count the members that could not; nothing is erased yet.

    The purge runs this first and erases once at its end; ``archive_closed_accounts`` erases
    at once.
    """
    result = ArchiveResult(dry_run=dry_run)
    closed = get_user_model().objects.filter(closed_at__isnull=False).select_related("product")
    if dry_run:
        result.members = closed.count()
        return result
    last = 0
    while members := list(closed.filter(pk__gt=last).order_by("pk")[:MEMBER_BATCH]):
        last = members[-1].pk
        waiting = _waiting(Batch.of(members))
        result.waiting += len(waiting)
        members = [member for member in members if member.pk not in waiting]
        if not members:
            continue
        kept = _move(Batch.of(members), result)
        # A member kept for a record written since the copy is moved once more on its own,
        # which copies that record too; kept again, it waits for the next run.
        for member in members:
            if member.pk in kept and _move(Batch.of([member]), result):
                result.failed += 1
    return result
