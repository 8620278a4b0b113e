"""Benchmark of ``purge_expired`` and ``archive_closed_accounts`` on SQLite and PostgreSQL.

For each backend: 1,000,000 expired visit records and 100,000 live ones are bulk-loaded (half of
them by 10,000 members, in no order, as logged-in members make them; ``--members 0`` makes every
visit anonymous, as earlier runs of this bench did), the
database is copied, ``manage.py purge_expired`` runs as a subprocess on one copy and a plain
``DELETE … WHERE time < cutoff`` on the other; then 10,000 closed accounts are loaded and
``manage.py archive_closed_accounts`` moves them. Prints rows/s, the ratio, the command's peak
RSS and the archive time. Targets: ratio ≤ 1.3 on SQLite against the same DELETE plus the same
erasure, peak RSS < 200 MB, 10,000 accounts < 10 s and < 150 MB.

    .venv/bin/python bench/purge.py [--expired N] [--live N] [--members N] [--accounts N]
                                    [--repeat N]
                                    [--only sqlite|postgresql]

PostgreSQL: ``BENCH_POSTGRES`` (default postgres://postgres@127.0.0.1:5432) and the database
name prefix ``BENCH_DB_PREFIX`` (default nexcore_bench). The script creates and drops its own
databases and temporary directory.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dataset
import report

ROOT = Path(__file__).resolve().parent.parent

VISITS = "accounts_visitrecord"
# Targets are judged at these sizes (1,000,000 expired visits; 10,000 closed accounts).
FULL_SCALE, FULL_ACCOUNTS = 1_000_000, 10_000
BENCH_KEY = "bench-only-key"  # noqa: S105 (signs nothing that outlives the run)
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"


def cutoff_now() -> tuple[datetime.datetime, datetime.datetime]:
    """Now, and the visit category's purge cutoff now, from the registry itself.

    Asked of a child process: this one stays small, because a child's peak RSS as the kernel
    reports it includes the memory of the parent it was started from.
    """
    code = (
        "from django.utils import timezone; "
        "from retention.registry import category, purge_cutoff; "
        "now = timezone.now(); "
        "print(now.isoformat(), purge_cutoff(category('visit'), now).isoformat())"
    )
    env = dict(os.environ, DJANGO_SECRET_KEY=BENCH_KEY, DJANGO_VAR_DIR=tempfile.gettempdir())
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    now, cutoff = result.stdout.split()
    return datetime.datetime.fromisoformat(now), datetime.datetime.fromisoformat(cutoff)


def visit_rows(count: int, start: datetime.datetime, end: datetime.datetime, members: range):
    """``count`` visits spread evenly between ``start`` and ``end``, oldest first: every other
    one by one of ``members`` (a stride prime to their number scatters them), the rest
    anonymous."""
    step = (end - start) / count
    for n in range(count):
        yield {
            "time": start + step * n,
            "ip": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
            "member_id": members[n * 7919 % len(members)] if members and n % 2 else None,
            "method": "GET",
            "path": f"/support/articles/{n % 5000}/",
            "status": 200,
        }


def insert_members(count: int, *, prefix: str, joined: datetime.datetime, **fields) -> range:
    """``count`` members with an unusable password, after every member there is; their keys."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from accounts.models import User

    base = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    dataset.insert(
        User,
        (
            {
                "id": base + n,
                "username": f"{prefix}{n:06d}",
                "password": UNUSABLE_PASSWORD_PREFIX,
                "company": f"Company {n}",
                "project": f"Project {n}",
                "date_joined": joined,
                **fields,
            }
            for n in range(count)
        ),
    )
    return range(base, base + count)


def load_visits(expired: int, live: int, members: int, now: str, cutoff: str) -> None:
    """(In the portal's process, bench/dataset.py.) The expired visits, the year before the
    cutoff, then the live ones after it; on PostgreSQL into the monthly partitions a site
    running the daily purge would have."""
    from django.db import connection

    from accounts.models import VisitRecord
    from retention import partitions
    from retention.registry import category

    now, cutoff = datetime.datetime.fromisoformat(now), datetime.datetime.fromisoformat(cutoff)
    if connection.vendor == "postgresql":
        since = cutoff - datetime.timedelta(days=365)
        partitions.ensure_months(category("visit").sources[0], now=now, cutoff=since)
    visitors = (
        insert_members(members, prefix="visitor", joined=now - datetime.timedelta(days=800))
        if members
        else range(0)
    )
    dataset.insert(
        VisitRecord,
        itertools.chain(
            visit_rows(
                expired,
                cutoff - datetime.timedelta(days=365),
                cutoff - datetime.timedelta(seconds=1),
                visitors,
            ),
            visit_rows(live, cutoff + datetime.timedelta(days=1), now, visitors),
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def manage(env: dict, *args: str, measure: bool = False):
    """Run manage.py; with ``measure``, return (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait4 gives this child's own resource usage, not the maximum over every child so far.
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = process.stdout.read(), process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({process.returncode}):\n{stderr}")
    if measure:
        return elapsed, usage.ru_maxrss / 1024, stdout
    return None


def purge_command(args) -> list[str]:
    return ["purge_expired", *(["--batch-size", str(args.batch_size)] if args.batch_size else [])]


def migrate(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "migrate", "--database", "archive", "--noinput", "-v", "0")


def summary(backend: str, args, purges: list, plains: list, archive: tuple) -> None:
    """Print the medians of the repeated runs: the machine is shared, single runs are noisy."""
    expired = args.expired
    seconds = statistics.median(run[0] for run in purges)
    rss = max(run[1] for run in purges)
    plain = statistics.median(run[0] for run in plains)
    erased = statistics.median(run[1] for run in plains)
    phase = statistics.median(visit_phase(run[2]) for run in purges)
    full = expired >= FULL_SCALE
    print(f"== {backend} (median of {len(purges)} runs)")
    print(
        f"   purge_expired  {expired:>9,} rows  {seconds:6.2f} s  {expired / seconds:>9,.0f} rows/s"
    )
    print(f"   plain DELETE   {expired:>9,} rows  {plain:6.2f} s  {expired / plain:>9,.0f} rows/s")
    print(f"   plain DELETE + the same erasure (checkpoint/VACUUM)  {erased:6.2f} s")
    print(f"   ratio against DELETE + erasure: {seconds / erased:.2f}")
    print(f"   ratio, delete phase only (the command's visit line): {phase / plain:.2f}")
    print(f"   peak RSS       {rss:.0f} MB (target < 200 MB)")
    sqlite = backend == "SQLite"
    report.add("purge", backend, f"purge_expired, {expired:,} expired visits, start-up included",
               measured=f"{seconds:.2f} s", baseline=f"{erased:.2f} s DELETE + erasure",
               ratio=seconds / erased, target="≤ 1.3" if sqlite else "",
               met=(seconds / erased <= 1.3) if sqlite and full else None)  # fmt: skip
    archive_seconds, archive_rss, accounts = archive
    print(
        f"   archive        {accounts:,} closed accounts  {archive_seconds:.2f} s  "
        f"{accounts / archive_seconds:,.0f} accounts/s, peak RSS {archive_rss:.0f} MB "
        "(target < 10 s, < 150 MB)"
    )
    report.add("archive", backend, f"archive_closed_accounts, {accounts:,} accounts",
               measured=f"{archive_seconds:.2f} s, {archive_rss:.0f} MB", baseline="",
               ratio=None, target="< 10 s, < 150 MB",
               met=(archive_seconds < 10 and archive_rss < 150)
               if accounts >= FULL_ACCOUNTS else None)  # fmt: skip


def drop_a_month(cutoff: str) -> None:
    """(In the portal's process.) Drop the middle one of the months wholly due, as the purge
    does; prints the month's bounds, its rows and how long the drop took."""
    from retention import partitions
    from retention.registry import category

    source = category("visit").sources[0]
    due = partitions.due_months(source, datetime.datetime.fromisoformat(cutoff))
    month = due[len(due) // 2]
    started = time.perf_counter()
    destroyed, _kept = partitions.drop_month(source, month, held_members=())
    elapsed = time.perf_counter() - started
    print(month.start.isoformat(), month.end.isoformat(), destroyed, elapsed)


def visit_phase(output: str) -> float:
    """The ``elapsed`` of the visit category's summary line."""
    line = next(line for line in output.splitlines() if line.startswith("visit "))
    return float(line.rsplit("elapsed=", 1)[1].rstrip("s"))


# --- Closed accounts -----------------------------------------------------------------------------


def load_closed_accounts(accounts: int, now: str) -> None:
    """(In the portal's process.) ``accounts`` withdrawn members, each with a sign-up consent,
    a visit and an identity record."""
    from django.db import connection

    from accounts.models import IdentityVerification, VisitRecord
    from privacy.models import Consent, PolicyVersion

    now = datetime.datetime.fromisoformat(now)
    members = insert_members(
        accounts,
        prefix="closed",
        joined=now - datetime.timedelta(days=400),
        closed_at=now - datetime.timedelta(days=1),
        is_active=False,
    )
    policy = PolicyVersion.objects.order_by("pk").values_list("pk", flat=True).first()
    at = now - datetime.timedelta(days=30)
    dataset.insert(
        Consent,
        (
            {"member_id": pk, "policy_version_id": policy, "kind": "signup", "given_at": at,
             "ip": "10.1.0.1"}
            for pk in members
        ),
    )  # fmt: skip
    dataset.insert(
        VisitRecord,
        (
            {"time": at, "ip": "10.1.0.1", "member_id": pk, "method": "GET",
             "path": "/accounts/me/", "status": 200}
            for pk in members
        ),
    )  # fmt: skip
    dataset.insert(
        IdentityVerification,
        ({"time": at, "ip": "10.1.0.1", "member_id": pk, "kind": "login"} for pk in members),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- SQLite -------------------------------------------------------------------------------


def fresh_copy(source: Path, target: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def bench_sqlite(args, now, cutoff) -> None:
    work = Path(tempfile.mkdtemp(prefix="nexcore-bench-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
        env.update(DJANGO_VAR_DIR=str(work / "var"), DJANGO_SECRET_KEY=BENCH_KEY)
        (work / "var").mkdir()
        migrate(env)
        dataset.run(env, "purge:load_visits", expired=args.expired, live=args.live,
                    members=args.members,
                    now=now.isoformat(), cutoff=cutoff.isoformat())  # fmt: skip
        primary = work / "var" / "primary.sqlite3"
        base, copy = work / "base.sqlite3", work / "copy.sqlite3"
        shutil.copyfile(primary, base)

        purges, plains = [], []
        for _ in range(args.repeat):
            fresh_copy(base, primary)
            purges.append(manage(env, *purge_command(args), measure=True))
            fresh_copy(base, copy)
            connection = sqlite3.connect(copy, isolation_level=None)
            connection.executescript(SQLITE_PRAGMAS)
            started = time.perf_counter()
            connection.execute("BEGIN")
            deleted = connection.execute(
                f"DELETE FROM {VISITS} WHERE time < ?",  # noqa: S608
                # How Django keeps an aware datetime in SQLite: UTC, ISO with a space.
                [cutoff.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")],
            ).rowcount
            connection.execute("COMMIT")
            plain = time.perf_counter() - started
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            plains.append((plain, time.perf_counter() - started))
            connection.close()
            assert deleted == args.expired, deleted

        archive = bench_archive(env, args.accounts, now)
        summary("SQLite", args, purges, plains, archive)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_archive(env, accounts: int, now) -> tuple:
    dataset.run(env, "purge:load_closed_accounts", accounts=accounts, now=now.isoformat())
    seconds, rss, _ = manage(env, "archive_closed_accounts", measure=True)
    return seconds, rss, accounts


# --- PostgreSQL ---------------------------------------------------------------------------


def bench_postgresql(args, now, cutoff) -> None:
    import psycopg

    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    prefix = os.environ.get("BENCH_DB_PREFIX", "nexcore_bench")
    names = {
        "base": f"{prefix}_base",
        "primary": prefix,
        "archive": f"{prefix}_archive",
        "copy": f"{prefix}_copy",
    }
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        print(f"== PostgreSQL: skipped, no server at {server} ({error})")
        return

    def drop(*keys):
        for key in keys:
            admin.execute(f'DROP DATABASE IF EXISTS "{names[key]}" WITH (FORCE)')

    def clone(key):
        drop(key)
        admin.execute(f'CREATE DATABASE "{names[key]}" TEMPLATE "{names["base"]}"')

    drop(*names)
    try:
        for key in ("base", "archive"):
            admin.execute(f'CREATE DATABASE "{names[key]}"')
        env = dict(os.environ, DJANGO_SECRET_KEY=BENCH_KEY)
        env["DATABASE_URL"] = f"{server}/{names['base']}"
        env["ARCHIVE_DATABASE_URL"] = f"{server}/{names['archive']}"
        migrate(env)
        dataset.run(env, "purge:load_visits", expired=args.expired, live=args.live,
                    members=args.members,
                    now=now.isoformat(), cutoff=cutoff.isoformat())  # fmt: skip
        env["DATABASE_URL"] = f"{server}/{names['primary']}"

        purges, plains = [], []
        for _ in range(args.repeat):
            clone("primary")
            purges.append(manage(env, *purge_command(args), measure=True))
            clone("copy")
            with psycopg.connect(f"{server}/{names['copy']}") as connection:
                started = time.perf_counter()
                deleted = connection.execute(
                    f"DELETE FROM {VISITS} WHERE time < %s",  # noqa: S608
                    [cutoff],
                ).rowcount
                connection.commit()
                plain = time.perf_counter() - started
                connection.autocommit = True
                connection.execute(f"VACUUM {VISITS}")
                plains.append((plain, time.perf_counter() - started))
            assert deleted == args.expired, deleted

        month = bench_month(env, names, clone, cutoff)
        archive = bench_archive(env, args.accounts, now)
        summary("PostgreSQL", args, purges, plains, archive)
        rows, dropping, deleting = month
        faster = deleting / dropping
        print(f"   a month of {rows:,} visits: dropped in {dropping:.3f} s; DELETE + VACUUM "
              f"of them {deleting:.3f} s: {deleting / dropping:.0f}x (target ≥ 10)")  # fmt: skip
        report.add("purge", "PostgreSQL", f"expiring a month ({rows:,} visits)",
                   measured=f"{dropping:.3f} s partition drop",
                   baseline=f"{deleting:.3f} s DELETE + VACUUM", ratio=deleting / dropping,
                   target="≥ 10 faster",
                   met=(faster >= 10) if args.expired >= FULL_SCALE else None)  # fmt: skip
    finally:
        drop(*names)
        admin.close()


def bench_month(env, names, clone, cutoff) -> tuple[int, float, float]:
    """One month of visits expired by dropping its partition, against deleting the same rows
    and vacuuming, on identical copies."""
    import psycopg

    clone("primary")
    start, end, rows, dropping = dataset.run(
        env, "purge:drop_a_month", cutoff=cutoff.isoformat()
    ).split()
    clone("copy")
    server = env["DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/{names['copy']}") as connection:
        started = time.perf_counter()
        deleted = connection.execute(
            f"DELETE FROM {VISITS} WHERE time >= %s AND time < %s",  # noqa: S608
            [datetime.datetime.fromisoformat(start), datetime.datetime.fromisoformat(end)],
        ).rowcount
        connection.commit()
        connection.autocommit = True
        connection.execute(f"VACUUM {VISITS}")
        deleting = time.perf_counter() - started
    assert deleted == int(rows), (deleted, rows)
    return int(rows), float(dropping), deleting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expired", type=int, default=1_000_000)
    parser.add_argument("--live", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000, help="0: anonymous visits only")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, help="passed to purge_expired")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    # The project's bytecode, as the image has it: the command's start-up is measured, and
    # with PYTHONDONTWRITEBYTECODE set it would otherwise compile every module each time.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "compileall", "-q", "-x", r"/\.venv/", str(ROOT)], check=True
    )
    now, cutoff = cutoff_now()
    print(
        f"{args.expired:,} expired + {args.live:,} live visit records, half of them by "
        f"{args.members:,} members; "
        f"{args.accounts:,} closed accounts"
    )
    if args.only in (None, "sqlite"):
        bench_sqlite(args, now, cutoff)
    if args.only in (None, "postgresql"):
        bench_postgresql(args, now, cutoff)


if __name__ == "__main__":
    main()
