"""Reads of retention shared by the purge, the report, the admin, and the hooks through which
sign-up, the my-data page and the staff side ask their questions (``retention.apps``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Min, Q, QuerySet, Subquery, Value
from django.utils import timezone, translation

from retention.models import ArchivedMember, LegalHold, member_key
from retention.registry import (
    CATEGORIES,
    MEMBER_FK,
    WITH_THE_ACCOUNT,
    Category,
    Source,
    as_moment,
    due_date,
)

PRIMARY = "default"


def is_archived_id(username: str) -> bool:
    """Whether ``username`` belongs to a withdrawn member whose contract record is still kept.

    Such an ID cannot be registered again (policy §5 나: the record must stay unambiguous).
    """
    return ArchivedMember.objects.filter(username=username).exists()


def archived_closures(since: datetime.datetime) -> QuerySet[ArchivedMember]:
    """The archived members who withdrew at or after ``since``, for the staff dashboard."""
    return ArchivedMember.objects.filter(closed_at__gte=since)


def member_key_for_id(username: str) -> str | None:
    """The stable key of the member, open or archived, whose ID is ``username``."""
    member = get_user_model().objects.filter(username=username).values_list("pk", flat=True)
    if member:
        return member_key(member[0])
    return (
        ArchivedMember.objects.filter(username=username)
        .order_by("-closed_at")
        .values_list("source_key", flat=True)
        .first()
    )


def describe_member_key(key: str) -> str:
    """The ID behind ``key`` for staff screens, wherever the member is now."""
    return describe_member_keys([key])[key]


def describe_member_keys(keys: Iterable[str]) -> dict[str, str]:
    """The ID behind each of ``keys`` (the key itself when no member has it any more), for a
    whole page of staff screen in two queries: the members still here, then the archived."""
    keys = set(keys)
    users = get_user_model()
    keyed = {}
    for key in keys:
        prefix, _, pk = key.partition(":")
        if prefix == users._meta.db_table and pk.isascii() and pk.isdigit():
            keyed[key] = int(pk)
    present = dict(users.objects.filter(pk__in=keyed.values()).values_list("pk", "username"))
    ids = {key: present[pk] for key, pk in keyed.items() if pk in present}
    if elsewhere := keys - ids.keys():
        archived = ArchivedMember.objects.filter(source_key__in=elsewhere)
        ids.update(archived.values_list("source_key", "username"))
    return {key: ids.get(key, key) for key in keys}


@dataclass(frozen=True)
class Holds:
    """The members under an active legal hold, by every name their rows may carry."""

    keys: frozenset[str] = frozenset()
    pks: frozenset[int] = frozenset()
    usernames: frozenset[str] = frozenset()

    def filter_for(self, source: Source) -> Q | None:
        """A filter for the held rows of ``source``; None when nothing is held."""
        if not self.keys:
            return None
        return source.owned_by(pks=self.pks, usernames=self.usernames, keys=self.keys, held=True)


def holds_for(keys) -> Holds:
    """The names that rows of the members with stable ``keys`` may carry."""
    keys = frozenset(keys)
    if not keys:
        return Holds()
    users = get_user_model()
    table = users._meta.db_table
    keyed = [
        int(pk)
        for prefix, _, pk in (key.partition(":") for key in keys)
        if prefix == table and pk.isdigit()
    ]
    # Only the members still in the primary database: an archived member's key names no row.
    present = dict(users.objects.filter(pk__in=keyed).values_list("pk", "username"))
    pks, usernames = frozenset(present), set(present.values())
    usernames.update(
        ArchivedMember.objects.filter(source_key__in=keys).values_list("username", flat=True)
    )
    return Holds(keys=keys, pks=pks, usernames=frozenset(usernames))


def active_holds() -> Holds:
    """Every member under a hold not yet lifted."""
    return holds_for(LegalHold.objects.active().values_list("member_key", flat=True))


def held_member_pks() -> set[int]:
    """The members in the primary database under a hold not yet lifted."""
    return set(active_holds().pks)


# --- What a member is told of their own records (policy §7 열람) -------------------------------


def _member_sources(entry: Category) -> list[Source]:
    """The sources of ``entry`` in the primary database that name members by foreign key."""
    return [
        source
        for source in entry.sources
        if source.database == PRIMARY and any(kind == MEMBER_FK for _, kind in source.owners)
    ]


@dataclass(frozen=True)
class ScheduledDeletion:
    category: Category
    next_deletion: datetime.datetime | None


def _row_due_date(category: Category, source: Source, row) -> datetime.datetime | None:
    """When ``row`` of ``source`` is destroyed; None while its clock has not started (an
    unresolved complaint) or when it goes at withdrawal."""
    if category is WITH_THE_ACCOUNT:
        return None
    started = row
    for step in source.clock.split("__"):
        started = getattr(started, step)
    return started and due_date(category, started)


@dataclass(frozen=True)
class MemberRecords:
    """The member's rows of one source, newest first, how many, and when each is destroyed."""

    category: Category
    source: Source
    rows: QuerySet
    count: int

    @property
    def with_the_account(self) -> bool:
        """Kept while the account is open, destroyed at withdrawal: no date applies."""
        return self.category is WITH_THE_ACCOUNT

    def due_date(self, row) -> datetime.datetime | None:
        return _row_due_date(self.category, self.source, row)


@dataclass(frozen=True)
class MemberRetention:
    """What the member is told of their records (policy §5, §7 열람).

    ``schedule``: per category with a table in the primary database that names members (and
    the data kept only while the account is open), when the member's oldest record of it is
    destroyed. Contract records (sign-up, consents) have no date while the account is open:
    their five-year clock starts at withdrawal; a complaint's starts at its resolution.

    ``records``: the sources whose model says what a member sees of it (``member_columns``),
    in the registry's order, each with the member's rows newest first by the first of those
    columns; consents and disclosures have pages of their own.

    ``held``: the sources ("app_label.modelname") holding any row of the member, so that a page
    need not ask again for a list it would find empty.
    """

    schedule: list[ScheduledDeletion]
    records: list[MemberRecords]
    held: frozenset[str]

    def holds(self, model: str) -> bool:
        return model in self.held


def _scalar(rows: QuerySet, aggregate) -> Subquery:
    """``rows.aggregate(aggregate)`` as a subquery, to be read along with others in one query."""
    everything = rows.order_by().annotate(everything=Value(1)).values("everything")
    return Subquery(everything.annotate(value=aggregate).values("value"))


def member_retention(member) -> MemberRetention:
    """The member's deletion schedule and record tables, every date and count in one query.

    One subquery per registered source, however many records the member has: the my-data page
    then reads only the pages of rows it shows.
    """
    aggregates, dated, listed, holding = {}, [], [], {}
    for entry in (*CATEGORIES, WITH_THE_ACCOUNT):
        sources = _member_sources(entry)
        if not sources:
            continue
        oldest = []
        for source in sources:
            mine = source.owned_by(pks=[member.pk], usernames=[member.username])
            oldest.append(f"oldest_{len(aggregates)}")
            aggregates[oldest[-1]] = _scalar(source.rows().filter(mine), Min(source.clock))
            holds = f"holds_{len(aggregates)}"
            holding[holds] = source.model
            aggregates[holds] = Exists(source.rows().filter(mine))
            columns = getattr(source.model_class, "member_columns", ())
            if not columns:
                continue
            rows = source.rows().filter(source.owned_by(pks=[member.pk]))
            count = f"count_{len(aggregates)}"
            aggregates[count] = _scalar(rows, Count("pk"))
            related = source.clock.rpartition("__")[0]
            if related:
                rows = rows.select_related(related)
            listed.append((entry, source, rows.order_by(f"-{columns[0]}", "-pk"), count))
        dated.append((entry, oldest))
    values = get_user_model().objects.filter(pk=member.pk).values(**aggregates).get()
    schedule = []
    for entry, oldest in dated:
        first = min((as_moment(values[name]) for name in oldest if values[name]), default=None)
        due = None if entry is WITH_THE_ACCOUNT else first and due_date(entry, first)
        schedule.append(ScheduledDeletion(entry, due))
    records = [
        MemberRecords(entry, source, rows, values[count] or 0)
        for entry, source, rows, count in listed
    ]
    held = frozenset(model for name, model in holding.items() if values[name])
    return MemberRetention(schedule=schedule, records=records, held=held)


@dataclass(frozen=True)
class KeptCategory:
    """A category whose records outlive the account, as the withdrawal's done page tells it."""

    label: str
    months: int
    basis: str
    clock: str
    reserves_id: bool


# The archived member record keeps the ID: while it is kept, sign-up refuses the ID.
ID_KEEPER = "retention.archivedmember"


def kept_after_withdrawal() -> list[KeptCategory]:
    """The categories of records that name a member and are kept after withdrawal (policy §5,
    §6 가: moved to the archive until their periods end), in registry order; the one holding the
    archived member record also keeps the ID from being registered again (§5 나)."""
    return [
        KeptCategory(
            label=entry.label,
            months=entry.months,
            basis=entry.basis,
            clock=entry.clock,
            reserves_id=any(source.model == ID_KEEPER for source in entry.sources),
        )
        for entry in CATEGORIES
        if any(source.owners for source in entry.sources)
    ]


def deletion_of(record) -> tuple[str, datetime.datetime | None]:
    """The category of ``record`` (a model instance) and when it is destroyed: the first
    registered source of its table whose rows include it decides."""
    label = record._meta.label_lower
    for entry in (*CATEGORIES, WITH_THE_ACCOUNT):
        for source in entry.sources:
            if source.model == label and source.rows().filter(pk=record.pk).exists():
                return entry.key, _row_due_date(entry, source, record)
    raise LookupError(f"{label} is not in the retention registry")


def _iso(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _oldest(rows, clock: str) -> datetime.datetime | None:
    return as_moment(rows.aggregate(oldest=Min(clock))["oldest"])


def category_report() -> list[dict]:
    """Per category: period, basis, rows held in each database, oldest record, next due date.

    The shape of ``retention_report --json`` (CONTRACT.md); keys may be added, never renamed.
    Counts and dates only: no row's content is read.
    """
    holds = active_holds()
    report = []
    for entry in CATEGORIES:
        rows = {"default": 0, "archive": 0}
        on_hold, oldest, oldest_unheld = 0, [], []
        for source in entry.sources:
            source_rows = source.rows()
            rows[source.database] += source_rows.count()
            oldest.append(_oldest(source_rows, source.clock))
            held = holds.filter_for(source)
            if held is not None:
                on_hold += source_rows.filter(held).count()
                source_rows = source_rows.exclude(held)
            oldest_unheld.append(_oldest(source_rows, source.clock))
        first = min((moment for moment in oldest if moment), default=None)
        first_unheld = min((moment for moment in oldest_unheld if moment), default=None)
        with translation.override("en"):
            label_en, basis_en = str(entry.label), str(entry.basis)
        with translation.override("ko"):
            label_ko, basis_ko = str(entry.label), str(entry.basis)
        report.append(
            {
                "key": entry.key,
                "label_ko": label_ko,
                "label_en": label_en,
                "period": entry.period,
                "months": entry.months,
                "basis": basis_en,
                "basis_ko": basis_ko,
                "rows": rows["default"] + rows["archive"],
                "rows_primary": rows["default"],
                "rows_archive": rows["archive"],
                "on_hold": on_hold,
                "oldest": _iso(first),
                "next_due": _iso(first_unheld and due_date(entry, first_unheld)),
            }
        )
    return report


def hold_report() -> list[dict]:
    """The active holds and how many rows each keeps per category; no ID, no reason text."""
    report = []
    for hold in LegalHold.objects.active().order_by("placed_at", "pk"):
        single = holds_for([hold.member_key])
        rows = {}
        for entry in CATEGORIES:
            count = sum(
                source.rows().filter(single.filter_for(source)).count() for source in entry.sources
            )
            if count:
                rows[entry.key] = count
        report.append(
            {
                "hold": hold.pk,
                "member_key": hold.member_key,
                "review_on": hold.review_on.isoformat(),
                "placed_at": _iso(hold.placed_at),
                "rows": rows,
            }
        )
    return report
