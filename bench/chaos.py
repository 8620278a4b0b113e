"""The crash campaigns, kept: ``kill -9`` at random moments of ``archive_closed_accounts`` and of
``purge_expired``.

The move of closed accounts to the archive database (policy §6 가) is copy-then-delete across two
databases that share no transaction; its promise is that a crash at any instant loses and
duplicates nothing, and that the next run converges. For each backend: before every kill, a
batch of withdrawn members with records is added; the command is started and killed after a
random delay; at the end one run finishes the work. Then every member and every record is looked
for: each must be in the archive exactly once and nowhere in the primary database.

The purge destroys due visits while the live ones stay; on SQLite, when most of the table is due,
by rebuilding the table with the live rows (``retention.services.erasure.keep_only``). Before
every kill a batch of due visits (enough to make the table mostly due) and of live ones is added,
the purge is started and killed, and a second run finishes its work. Every live visit must be
there exactly once, and no due one.

    .venv/bin/python bench/chaos.py [--kills 40] [--members-per-kill 200] [--visits-per-kill 10000]
                                    [--seed 7] [--only sqlite|postgresql]

Prints what was lost and duplicated per backend and campaign (each must be 0) and exits 1
otherwise. PostgreSQL: ``BENCH_POSTGRES`` and ``BENCH_DB_PREFIX`` as for bench/purge.py.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
from purge import ROOT, migrate  # noqa: E402
from serving import BACKENDS, database_addresses, fresh_portal  # noqa: E402

VISITS_EACH, IDENTITIES_EACH = 3, 2


class Database:
    """The primary or archive database of one backend, read directly (no Django)."""

    def __init__(self, backend: str, address: str):
        self.backend, self.address = backend, address

    def rows(self, sql: str) -> list[tuple]:
        if self.backend == "sqlite":
            connection = sqlite3.connect(self.address, timeout=60)
        else:
            import psycopg

            connection = psycopg.connect(self.address)
        with contextlib.closing(connection):
            return connection.execute(sql).fetchall()


def add_withdrawn(first: int, count: int) -> None:
    """``count`` withdrawn members from number ``first``, each with visits and identity records."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.utils import timezone

    from accounts.models import IdentityVerification, User, VisitRecord

    now = timezone.now()
    joined, closed = now - datetime.timedelta(days=90), now - datetime.timedelta(hours=1)
    members = User.objects.bulk_create(
        User(username=f"chaos{n:06d}", password=UNUSABLE_PASSWORD_PREFIX, company=f"Chaos Co {n}",
             project="Apollo", date_joined=joined, closed_at=closed, is_active=False)
        for n in range(first, first + count)
    )  # fmt: skip
    days = [now - datetime.timedelta(days=k) for k in range(max(VISITS_EACH, IDENTITIES_EACH))]
    VisitRecord.objects.bulk_create(
        VisitRecord(time=day, ip="10.7.0.1", member=member, method="GET", path="/", status=200)
        for member in members
        for day in days[:VISITS_EACH]
    )
    IdentityVerification.objects.bulk_create(
        IdentityVerification(time=day, ip="10.7.0.1", member=member, kind="login")
        for member in members
        for day in days[:IDENTITIES_EACH]
    )


def add_visits(first: int, due: int, live: int) -> None:
    """``due`` anonymous visits old enough to be destroyed and ``live`` ones numbered from
    ``first`` that must stay (on PostgreSQL into the monthly partitions the daily purge keeps)."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import VisitRecord
    from retention import partitions
    from retention.registry import category

    now = timezone.now()
    old, recent = now - datetime.timedelta(days=200), now - datetime.timedelta(days=1)
    if connection.vendor == "postgresql":
        partitions.ensure_months(category("visit").sources[0], now=now, cutoff=old)
    rows = [{"time": old, "path": f"/chaos-due-{first}-{n}"} for n in range(due)]
    rows += [{"time": recent, "path": f"/chaos-live-{first + n}"} for n in range(live)]
    dataset.insert(
        VisitRecord, ({"ip": "10.7.0.2", "method": "GET", "status": 200, **row} for row in rows)
    )


def archive(env: dict) -> subprocess.Popen:
    return command(env, "archive_closed_accounts")


def command(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_after(run: subprocess.Popen, delay: float) -> None:
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.wait()


def finish(start) -> None:
    for _ in range(30):
        # A killed run's PostgreSQL session may hold the lock a moment longer (exit 75).
        if start().wait() == 0:
            return
        time.sleep(1)


def campaign(backend: str, env: dict, primary: Database, archived: Database, args) -> bool:
    # Seeded, so that a failing campaign can be run again kill for kill.
    chance = random.Random(args.seed)  # noqa: S311
    # One batch moved without a kill tells how long a run lasts, start-up included: the kills
    # then fall anywhere in such a run.
    dataset.run(env, "chaos:add_withdrawn", first=0, count=args.members_per_kill)
    members = args.members_per_kill
    started = time.monotonic()
    archive(env).wait()
    duration = time.monotonic() - started
    for _ in range(args.kills):
        dataset.run(env, "chaos:add_withdrawn", first=members, count=args.members_per_kill)
        members += args.members_per_kill
        kill_after(archive(env), chance.uniform(0, duration))
    finish(lambda: archive(env))
    left = primary.rows("SELECT count(*) FROM accounts_user")[0][0]
    keys = archived.rows("SELECT source_key, count(*) FROM retention_archivedmember GROUP BY 1")
    per_member = archived.rows(
        "SELECT member_key, count(*), count(DISTINCT source_key) FROM retention_archivedrecord "
        "GROUP BY member_key"
    )
    lost_members = members - len(keys)
    duplicated_members = sum(count - 1 for _key, count in keys)
    expected = VISITS_EACH + IDENTITIES_EACH
    records = {key: (count, distinct) for key, count, distinct in per_member}
    lost_records = (
        sum(expected - records.get(key, (0, 0))[1] for key, _count in keys)
        + expected * lost_members
    )
    duplicated_records = sum(count - distinct for count, distinct in records.values())
    print(
        f"== {backend}: {args.kills} kill points, {members} members, {left} left in the primary; "
        f"members lost={lost_members} duplicated={duplicated_members}; "
        f"records lost={lost_records} duplicated={duplicated_records}"
    )
    return (lost_members, duplicated_members, lost_records, duplicated_records, left) == (
        0, 0, 0, 0, 0
    )  # fmt: skip


DUE_LEFT = "SELECT count(*) FROM accounts_visitrecord WHERE path LIKE '/chaos-due-%'"


def purge_campaign(backend: str, env: dict, primary: Database, args) -> bool:
    chance = random.Random(args.seed)  # noqa: S311
    # A batch smaller than the due visits, so that SQLite rebuilds the table rather than
    # deleting in batches, as a catch-up run after a stop would.
    purge = ("purge_expired", "--batch-size", str(max(args.visits_per_kill // 10, 1)))
    live_each = max(args.visits_per_kill // 100, 1)
    dataset.run(env, "chaos:add_visits", first=0, due=args.visits_per_kill, live=live_each)
    live = live_each
    started = time.monotonic()
    command(env, *purge).wait()
    duration = time.monotonic() - started
    before = 0
    for _ in range(args.kills):
        dataset.run(env, "chaos:add_visits", first=live, due=args.visits_per_kill, live=live_each)
        live += live_each
        kill_after(command(env, *purge), chance.uniform(0, duration))
        # Whether the kill came before the due visits were destroyed or after; then a run that
        # finishes, so that every killed run has as much to do as the one that was timed.
        before += primary.rows(DUE_LEFT)[0][0] > 0
        finish(lambda: command(env, *purge))
    paths = dict(
        primary.rows(
            "SELECT path, count(*) FROM accounts_visitrecord WHERE path LIKE '/chaos-%' GROUP BY 1"
        )
    )
    kept = [f"/chaos-live-{n}" for n in range(live)]
    lost = sum(1 for path in kept if path not in paths)
    duplicated = sum(count - 1 for count in paths.values())
    left_due = sum(1 for path in paths if path.startswith("/chaos-due-"))
    print(
        f"== {backend}, purge: {args.kills} kill points ({before} before the due visits went), "
        f"{live} live visits among {args.visits_per_kill * (args.kills + 1):,} due; "
        f"live lost={lost} duplicated={duplicated}; due left={left_due}"
    )
    return (lost, duplicated, left_due) == (0, 0, 0)


def on_backend(backend: str, args) -> bool:
    held = []
    with fresh_portal(backend, "chaos") as env:
        migrate(env)
        primary, archived = (Database(backend, address) for address in database_addresses(env))
        held.append(campaign(BACKENDS[backend], env, primary, archived, args))
    with fresh_portal(backend, "chaos_purge") as env:
        migrate(env)
        primary, _archived = (Database(backend, address) for address in database_addresses(env))
        held.append(purge_campaign(BACKENDS[backend], env, primary, args))
    return all(held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--members-per-kill", type=int, default=200)
    parser.add_argument("--visits-per-kill", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    held = [on_backend(backend, args) for backend in BACKENDS if args.only in (None, backend)]
    sys.exit(0 if all(held) else 1)


if __name__ == "__main__":
    main()
