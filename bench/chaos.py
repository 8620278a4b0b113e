"""The crash campaign, kept: ``kill -9`` at random moments of ``archive_closed_accounts``.

The move of closed accounts to the archive database (policy §6 가) is copy-then-delete across two
databases that share no transaction; its promise is that a crash at any instant loses and
duplicates nothing, and that the next run converges. For each backend: before every kill, a
batch of withdrawn members with records is added; the command is started and killed after a
random delay; at the end one run finishes the work. Then every member and every record is looked
for: each must be in the archive exactly once and nowhere in the primary database.

    .venv/bin/python bench/chaos.py [--kills 40] [--members-per-kill 200] [--seed 7]
                                    [--only sqlite|postgresql]

Prints members and records lost and duplicated per backend (each must be 0) and exits 1
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


def archive(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "archive_closed_accounts"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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
        run = archive(env)
        time.sleep(chance.uniform(0, duration))
        run.send_signal(signal.SIGKILL)
        run.wait()
    for _ in range(30):
        # A killed run's PostgreSQL session may hold the lock a moment longer (exit 75).
        if archive(env).wait() == 0:
            break
        time.sleep(1)
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


def on_backend(backend: str, args) -> bool:
    with fresh_portal(backend, "chaos") as env:
        migrate(env)
        primary, archived = (Database(backend, address) for address in database_addresses(env))
        return campaign(BACKENDS[backend], env, primary, archived, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--members-per-kill", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    held = [on_backend(backend, args) for backend in BACKENDS if args.only in (None, backend)]
    sys.exit(0 if all(held) else 1)


if __name__ == "__main__":
    main()
