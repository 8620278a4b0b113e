"""Benchmark of ``purge_expired`` and ``archive_closed_accounts`` on SQLite and PostgreSQL.

For each backend: 1,000,000 expired visit records and 100,000 live ones are bulk-loaded, the
database is copied, ``manage.py purge_expired`` runs as a subprocess on one copy and a plain
``DELETE … WHERE time < cutoff`` on the other; then 10,000 closed accounts are loaded and
``manage.py archive_closed_accounts`` moves them. Prints rows/s, the ratio, the command's peak
RSS and the archive time. Targets: ratio ≤ 1.5, peak RSS < 200 MB, 10,000 accounts < 60 s.

    .venv/bin/python bench/purge.py [--expired N] [--live N] [--accounts N] [--repeat N]
                                    [--only sqlite|postgresql]

PostgreSQL: ``BENCH_POSTGRES`` (default postgres://postgres@127.0.0.1:5432) and the database
name prefix ``BENCH_DB_PREFIX`` (default nexcore_bench). The script creates and drops its own
databases and temporary directory.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

VISITS = "accounts_visitrecord"
CHUNK = 50_000
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


def visit_rows(count: int, start: datetime.datetime, end: datetime.datetime):
    """``count`` anonymous visits spread evenly between ``start`` and ``end``, oldest first."""
    step = (end - start) / count
    for n in range(count):
        yield (
            start + step * n,
            f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
            "GET",
            f"/support/articles/{n % 5000}/",
            200,
        )


def all_visits(args, now: datetime.datetime, cutoff: datetime.datetime):
    """The expired visits (the year before the cutoff), then the live ones (after it)."""
    yield from visit_rows(
        args.expired,
        cutoff - datetime.timedelta(days=365),
        cutoff - datetime.timedelta(seconds=1),
    )
    yield from visit_rows(args.live, cutoff + datetime.timedelta(days=1), now)


def chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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


def make_months(env: dict, *, since: datetime.datetime) -> None:
    """The monthly visit partitions a site running the daily purge since ``since`` would have."""
    code = (
        "import datetime; from django.utils import timezone; "
        "from retention import partitions; from retention.registry import category; "
        "source = category('visit').sources[0]; "
        f"since = datetime.datetime.fromisoformat({since.isoformat()!r}); "
        "partitions.ensure_months(source, now=timezone.now(), cutoff=since)"
    )
    manage(env, "shell", "--no-imports", "-c", code)


def report(backend: str, expired: int, purges: list, plains: list, archive: tuple) -> None:
    """Print the medians of the repeated runs: the machine is shared, single runs are noisy."""
    seconds = statistics.median(run[0] for run in purges)
    rss = max(run[1] for run in purges)
    plain = statistics.median(run[0] for run in plains)
    erased = statistics.median(run[1] for run in plains)
    phase = statistics.median(visit_phase(run[2]) for run in purges)
    print(f"== {backend} (median of {len(purges)} runs)")
    print(
        f"   purge_expired  {expired:>9,} rows  {seconds:6.2f} s  {expired / seconds:>9,.0f} rows/s"
    )
    print(f"   plain DELETE   {expired:>9,} rows  {plain:6.2f} s  {expired / plain:>9,.0f} rows/s")
    print(f"   plain DELETE + the same erasure (checkpoint/VACUUM)  {erased:6.2f} s")
    print(f"   ratio          {seconds / plain:.2f} (target <= 1.5)")
    print(f"   ratio against DELETE + erasure: {seconds / erased:.2f}")
    print(f"   ratio, delete phase only (the command's visit line): {phase / plain:.2f}")
    print(f"   peak RSS       {rss:.0f} MB (target < 200 MB)")
    archive_seconds, archive_rss, accounts = archive
    print(
        f"   archive        {accounts:,} closed accounts  {archive_seconds:.2f} s  "
        f"{accounts / archive_seconds:,.0f} accounts/s, peak RSS {archive_rss:.0f} MB "
        "(target < 60 s)"
    )


def visit_phase(output: str) -> float:
    """The ``elapsed`` of the visit category's summary line."""
    line = next(line for line in output.splitlines() if line.startswith("visit "))
    return float(line.rsplit("elapsed=", 1)[1].rstrip("s"))


# --- Closed accounts -----------------------------------------------------------------------------


def account_rows(count: int, now: datetime.datetime):
    joined = now - datetime.timedelta(days=400)
    closed = now - datetime.timedelta(days=1)
    for n in range(count):
        yield (f"closed{n:06d}", "!", f"Company {n}", f"Project {n}", joined, closed)


USER_COLUMNS = (
    "username, password, company, project, date_joined, closed_at, is_active, is_staff, "
    "is_superuser"
)


def per_account(count: int, now: datetime.datetime, base: int, policy: int):
    """A sign-up consent, a visit and an identity record for each account id from ``base``."""
    at = now - datetime.timedelta(days=30)
    consents = [(base + n, policy, "signup", at, "10.1.0.1") for n in range(count)]
    visits = [(at, "10.1.0.1", base + n, "GET", "/accounts/me/", 200) for n in range(count)]
    identities = [(at, "10.1.0.1", base + n, "login", "") for n in range(count)]
    return consents, visits, identities


# --- SQLite -------------------------------------------------------------------------------


def sqlite_value(moment: datetime.datetime) -> str:
    # How Django stores an aware datetime in SQLite: UTC, ISO with a space, microseconds.
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


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
        primary = work / "var" / "primary.sqlite3"
        connection = sqlite3.connect(primary)
        connection.executescript(SQLITE_PRAGMAS)
        for batch in chunks(all_visits(args, now, cutoff)):
            connection.executemany(
                f"INSERT INTO {VISITS} (time, ip, method, path, status) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
                [(sqlite_value(row[0]), *row[1:]) for row in batch],
            )
            connection.commit()
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
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
                [sqlite_value(cutoff)],
            ).rowcount
            connection.execute("COMMIT")
            plain = time.perf_counter() - started
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            plains.append((plain, time.perf_counter() - started))
            connection.close()
            assert deleted == args.expired, deleted

        archive = bench_archive_sqlite(env, primary, args.accounts, now)
        report("SQLite", args.expired, purges, plains, archive)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_archive_sqlite(env, primary: Path, accounts: int, now) -> tuple:
    connection = sqlite3.connect(primary)
    connection.executescript(SQLITE_PRAGMAS)
    base = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_user").fetchone()[0]
    connection.executemany(
        f"INSERT INTO accounts_user ({USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)",  # noqa: S608
        [
            (*row[:4], sqlite_value(row[4]), sqlite_value(row[5]))
            for row in account_rows(accounts, now)
        ],
    )
    policy = connection.execute("SELECT min(id) FROM privacy_policyversion").fetchone()[0]
    consents, visits, identities = per_account(accounts, now, base, policy)
    connection.executemany(
        "INSERT INTO privacy_consent (member_id, policy_version_id, kind, given_at, ip) "
        "VALUES (?, ?, ?, ?, ?)",
        [(*row[:3], sqlite_value(row[3]), row[4]) for row in consents],
    )
    connection.executemany(
        f"INSERT INTO {VISITS} (time, ip, member_id, method, path, status) "  # noqa: S608
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(sqlite_value(row[0]), *row[1:]) for row in visits],
    )
    connection.executemany(
        "INSERT INTO accounts_identityverification (time, ip, member_id, kind, channel) "
        "VALUES (?, ?, ?, ?, ?)",
        [(sqlite_value(row[0]), *row[1:]) for row in identities],
    )
    connection.commit()
    connection.close()
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
        make_months(env, since=cutoff - datetime.timedelta(days=365))
        with (
            psycopg.connect(env["DATABASE_URL"]) as connection,
            connection.cursor().copy(
                f"COPY {VISITS} (time, ip, method, path, status) FROM STDIN"
            ) as copy,
        ):
            for row in all_visits(args, now, cutoff):
                copy.write_row(row)
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            connection.execute(f"VACUUM ANALYZE {VISITS}")
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

        archive = bench_archive_postgresql(env, args.accounts, now)
        report("PostgreSQL", args.expired, purges, plains, archive)
    finally:
        drop(*names)
        admin.close()


def bench_archive_postgresql(env, accounts: int, now) -> tuple:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        base = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_user").fetchone()[
            0
        ]
        policy = connection.execute("SELECT min(id) FROM privacy_policyversion").fetchone()[0]
        cursor = connection.cursor()
        # Explicit ids, so that the per-account rows below can name them; the sequence follows.
        with cursor.copy(f"COPY accounts_user (id, {USER_COLUMNS}) FROM STDIN") as copy:
            for n, row in enumerate(account_rows(accounts, now)):
                copy.write_row((base + n, *row, False, False, False))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)",
            [base + accounts],
        )
        consents, visits, identities = per_account(accounts, now, base, policy)
        with cursor.copy(
            "COPY privacy_consent (member_id, policy_version_id, kind, given_at, ip) FROM STDIN"
        ) as copy:
            for row in consents:
                copy.write_row(row)
        with cursor.copy(
            f"COPY {VISITS} (time, ip, member_id, method, path, status) FROM STDIN"
        ) as copy:
            for row in visits:
                copy.write_row(row)
        with cursor.copy(
            "COPY accounts_identityverification (time, ip, member_id, kind, channel) FROM STDIN"
        ) as copy:
            for row in identities:
                copy.write_row(row)
        connection.commit()
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("ANALYZE")
    seconds, rss, _ = manage(env, "archive_closed_accounts", measure=True)
    return seconds, rss, accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expired", type=int, default=1_000_000)
    parser.add_argument("--live", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, help="passed to purge_expired")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    now, cutoff = cutoff_now()
    print(
        f"{args.expired:,} expired + {args.live:,} live visit records; "
        f"{args.accounts:,} closed accounts"
    )
    if args.only in (None, "sqlite"):
        bench_sqlite(args, now, cutoff)
    if args.only in (None, "postgresql"):
        bench_postgresql(args, now, cutoff)


if __name__ == "__main__":
    main()
