"""Moving closed accounts to the archive database (policy §6 가).

A withdrawn member's records that the law makes us keep are copied to the archive database with
their own due dates; then every trace of the member is deleted from the primary database. The
two databases share no transaction, so the move is copy-then-delete with stable keys and
idempotent upserts: each record is always in the primary, the archive or both, and a re-run
converges.
"""

from __future__ import annotations

import base64
import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import MemberSession
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
    will_delete_from,
)

logger = logging.getLogger("nexcore.retention")

ARCHIVE = "archive"
PRIMARY = "default"
# Members moved per round trip, and rows copied per archive transaction: both bound memory.
MEMBER_BATCH = 200
RECORD_CHUNK = 1000


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
    _upsert(
        ArchivedMember,
        rows,
        ["username", "company", "project", "product_name", "date_joined", "closed_at", "consents"],
    )


def _copy_records(entry: Category, source: Source, rows: list[dict]) -> None:
    """Upsert ``rows`` of ``source`` into the archive and check they are all there."""
    model = source.model_class
    pk_name = model._meta.pk.attname
    copies = [
        ArchivedRecord(
            source_key=source_key(model, row[pk_name]),
            category=entry.key,
            member_key=row.pop("_member_key"),
            time=as_moment(row.pop("_clock")),
            data=_json_ready(row),
        )
        for row in rows
    ]
    _upsert(ArchivedRecord, copies, ["category", "member_key", "time", "data"])


def _upsert(model, rows: list, update_fields: list[str]) -> None:
    """Insert ``rows`` into the archive or update the copies already there (keyed by source),
    then check they are all there: a re-run after a crash converges without duplicates."""
    with transaction.atomic(using=ARCHIVE):
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["source_key"],
            update_fields=update_fields,
            batch_size=500,
        )
    keys = [row.source_key for row in rows]
    if model.objects.filter(source_key__in=keys).count() != len(keys):
        raise DatabaseError(f"{model._meta.label} rows missing after the upsert")


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
        will_delete_from(PRIMARY, cascade_tables(get_user_model()))
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
        columns = [field.attname for field in model._meta.concrete_fields]
        last = None
        while True:
            window = owned if last is None else owned.filter(pk__gt=last)
            # The clock may follow a relation (a message's is its inquiry's resolution).
            rows = list(
                window.order_by("pk").values(*columns, _clock=F(source.clock))[:RECORD_CHUNK]
            )
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
    _destroy_with_the_account(by_pk, result)
    _delete_members(members)
    result.members += len(members)
    for model in (Consent, MemberSession, get_user_model()):
        result.tables[PRIMARY].update(cascade_tables(model))


def _destroy_with_the_account(by_pk: dict, result: ArchiveResult) -> None:
    """Delete what served the account alone (ordinary support inquiries): it is not kept."""
    for source in WITH_THE_ACCOUNT.sources:
        rows = source.rows().filter(source.owned_by(pks=list(by_pk)))
        if delete_rows(rows):
            result.tables[PRIMARY].update(cascade_tables(source.model_class))


def _waiting(members: list) -> set[int]:
    """The members some of whose records to keep have no running clock yet — an unanswered
    privacy request, an unresolved complaint: they stay until it is settled, so that the
    archive never holds a record whose period cannot start."""
    pks = [member.pk for member in members]
    waiting = set()
    for _entry, source in archivable_sources():
        for column, kind in source.owners:
            if kind != MEMBER_FK:
                continue
            waiting.update(
                source.rows()
                .filter(**{f"{column}__in": pks, f"{source.clock}__isnull": True})
                .values_list(column, flat=True)
            )
    return waiting


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
        waiting = _waiting(members)
        result.waiting += len(waiting)
        members = [member for member in members if member.pk not in waiting]
        if not members:
            continue
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
