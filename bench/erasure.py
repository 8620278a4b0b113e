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

import dataset  # noqa: E402
import report  # noqa: E402
from purge import BENCH_KEY, manage, migrate  # noqa: E402

# The site's time zone, in which the visit partitions are months (settings: TIME_ZONE).
ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")

TABLES = ("accounts_user", "privacy_consent", "accounts_identityverification")


def load(members: int, visits: int, now: str) -> None:
    """The visit table's month partitions from ``now``'s month on; ``members`` members, one in
    a hundred withdrawn, with a consent and an identity record each; ``visits`` visit records
    of the day before ``now``; then ``VACUUM ANALYZE``. Prints how many are withdrawn."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection
    from django.utils import timezone

    from accounts.models import IdentityVerification, User, VisitRecord
    from privacy.models import Consent, PolicyVersion
    from retention import partitions
    from retention.registry import category

    now = datetime.datetime.fromisoformat(now)
    partitions.ensure_months(category("visit").sources[0], now=timezone.now(), cutoff=now)
    policy = PolicyVersion.objects.order_by("pk").values_list("pk", flat=True).first()
    joined, closed = now - datetime.timedelta(days=400), now - datetime.timedelta(days=1)
    numbers = range(1, members + 1)
    dataset.insert(
        User,
        (
            {"id": n, "username": f"member{n:07d}", "password": UNUSABLE_PASSWORD_PREFIX,
             "company": f"Company {n % 997}", "project": f"Project {n}", "date_joined": joined,
             "closed_at": closed if n % 100 == 0 else None, "is_active": n % 100 != 0}
            for n in numbers
        ),
    )  # fmt: skip
    dataset.insert(
        Consent,
        (
            {"member_id": n, "policy_version_id": policy, "kind": "signup", "given_at": joined,
             "ip": "10.1.0.1"}
            for n in numbers
        ),
    )  # fmt: skip
    verified = now - datetime.timedelta(days=2)
    dataset.insert(
        IdentityVerification,
        ({"time": verified, "ip": "10.1.0.1", "member_id": n, "kind": "login"} for n in numbers),
    )
    dataset.insert(
        VisitRecord,
        (
            {"time": now - datetime.timedelta(seconds=n % 86400), "ip": "10.1.0.1",
             "member_id": n % members + 1, "method": "GET", "path": "/support/",
             "status": 200}
            for n in range(visits)
        ),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(User.objects.filter(closed_at__isnull=False).count())


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
        withdrawn = int(
            dataset.run(env, "erasure:load", members=members, visits=visits, now=now.isoformat())
        )
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
            report.add("erasure", "PostgreSQL", f"{table} rewrite, {members:,} members",
                       measured=f"{full:.3f} s VACUUM FULL", baseline=f"{plain:.3f} s VACUUM",
                       ratio=full / plain, target="", met=None)  # fmt: skip
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
