"""How long the PostgreSQL rewrites of policy §6 나 hold their tables' exclusive locks.

For each member count: a fresh primary and archive database, that many members (a consent and
an identity record each; one in a hundred withdrawn), and a month of visit records in one
partition. Then ``manage.py archive_closed_accounts`` runs and reports the longest lock its
rewrites (``VACUUM FULL``) held. On two copies of the same database, the withdrawn members'
rows are deleted by plain SQL, and each table is rewritten on one copy and given the plain
``VACUUM`` it had before (the step the rewrite replaces) on the other: both timed.

    .venv/bin/python bench/erasure.py [--members 10000 100000] [--visits N]

PostgreSQL: ``BENCH_POSTGRES`` (default postgres://postgres@127.0.0.1:5432) and the database
name prefix ``BENCH_DB_PREFIX`` (default nexcore_bench). The script drops its databases.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from purge import BENCH_KEY, make_months, manage, migrate  # noqa: E402

# The site's time zone, in which the visit partitions are months (settings: TIME_ZONE).
ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")

TABLES = ("accounts_user", "privacy_consent", "accounts_identityverification")


def load(connection, members: int, visits: int, now: datetime.datetime) -> int:
    """``members`` members, one in a hundred withdrawn, and ``visits`` visit records of this
    month; returns how many are withdrawn."""
    cursor = connection.cursor()
    policy = cursor.execute("SELECT min(id) FROM privacy_policyversion").fetchone()[0]
    joined, closed = now - datetime.timedelta(days=400), now - datetime.timedelta(days=1)
    with cursor.copy(
        "COPY accounts_user (id, username, password, company, project, date_joined, closed_at, "
        "is_active, is_staff, is_superuser) FROM STDIN"
    ) as copy:
        for n in range(1, members + 1):
            withdrawn = n % 100 == 0
            copy.write_row(
                (n, f"member{n:07d}", "!", f"Company {n % 997}", f"Project {n}", joined,
                 closed if withdrawn else None, not withdrawn, False, False)
            )  # fmt: skip
    cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [members])
    with cursor.copy(
        "COPY privacy_consent (member_id, policy_version_id, kind, given_at, ip) FROM STDIN"
    ) as copy:
        for n in range(1, members + 1):
            copy.write_row((n, policy, "signup", joined, "10.1.0.1"))
    with cursor.copy(
        "COPY accounts_identityverification (time, ip, member_id, kind, channel) FROM STDIN"
    ) as copy:
        for n in range(1, members + 1):
            copy.write_row((now - datetime.timedelta(days=2), "10.1.0.1", n, "login", ""))
    with cursor.copy(
        "COPY accounts_visitrecord (time, ip, member_id, method, path, status) FROM STDIN"
    ) as copy:
        for n in range(visits):
            copy.write_row(
                (now - datetime.timedelta(seconds=n % 86400), "10.1.0.1", n % members + 1,
                 "GET", "/support/", 200)
            )  # fmt: skip
    connection.commit()
    return members // 100


def timed(connection, statement: str) -> float:
    started = time.perf_counter()
    connection.execute(statement)
    return time.perf_counter() - started


WITHDRAWN = "SELECT id FROM accounts_user WHERE closed_at IS NOT NULL"


def delete_withdrawn(connection) -> None:
    for table in ("privacy_consent", "accounts_identityverification", "accounts_visitrecord"):
        connection.execute(f"DELETE FROM {table} WHERE member_id IN ({WITHDRAWN})")  # noqa: S608
    connection.execute("DELETE FROM accounts_user WHERE closed_at IS NOT NULL")


def bench(members: int, visits: int, server: str, prefix: str) -> None:
    import psycopg

    names = {key: f"{prefix}_erasure_{key}" for key in ("base", "archive", "full", "plain")}
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)

    def drop():
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    try:
        for key in ("base", "archive"):
            admin.execute(f'CREATE DATABASE "{names[key]}"')
        env = dict(
            os.environ,
            DJANGO_SECRET_KEY=BENCH_KEY,
            DATABASE_URL=f"{server}/{names['base']}",
            ARCHIVE_DATABASE_URL=f"{server}/{names['archive']}",
        )
        migrate(env)
        now = datetime.datetime.now(datetime.UTC)
        make_months(env, since=now)
        with psycopg.connect(env["DATABASE_URL"]) as connection:
            withdrawn = load(connection, members, visits, now)
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        for key in ("full", "plain"):
            admin.execute(f'CREATE DATABASE "{names[key]}" TEMPLATE "{names["base"]}"')
        seconds, _rss, output = manage(env, "archive_closed_accounts", measure=True)
        longest = float(re.search(r"longest_lock=([\d.]+)s", output).group(1))
        print(f"== PostgreSQL, {members:,} members ({withdrawn:,} withdrawn), {visits:,} visits")
        print(f"   archive_closed_accounts {seconds:6.2f} s, longest table lock {longest:.3f} s")
        month = f"accounts_visitrecord_p{now.astimezone(ZoneInfo(ZONE)):%Y%m}"
        times = {}
        for key, statement in (("full", "VACUUM (FULL, ANALYZE)"), ("plain", "VACUUM")):
            with psycopg.connect(f"{server}/{names[key]}", autocommit=True) as connection:
                delete_withdrawn(connection)
                for table in (*TABLES, month):
                    times[key, table] = timed(connection, f'{statement} "{table}"')
        for table in (*TABLES, month):
            full, plain = times["full", table], times["plain", table]
            print(
                f"   {table:<30} VACUUM FULL (lock held) {full:6.3f} s   plain VACUUM "
                f"{plain:6.3f} s   ratio {full / plain:5.1f}"
            )
    finally:
        drop()
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--visits", type=int, default=500_000, help="visit records this month")
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    prefix = os.environ.get("BENCH_DB_PREFIX", "nexcore_bench")
    for members in args.members:
        bench(members, args.visits, server, prefix)


if __name__ == "__main__":
    main()
