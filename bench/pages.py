"""Pages at scale: 100,000 members and 5,000,000 visit records, SQLite and PostgreSQL.

For each backend, fresh databases are loaded through the models (bench/dataset.py) and served by
gunicorn with one worker and the project's configuration; ``ab`` (apache2-utils) drives it.

- the visit log's cost: the home page's throughput on that server against the same server
  without ``VisitRecordMiddleware``, interleaved (target ≤ 1.1×);
- the policy page's throughput against ``/healthz``, a bare view on the same server (≤ 3×);
- the staff dashboard (< 300 ms) and the admin member list (< 100 ms), a superuser's, and the
  my-data page of a member with records, each the median of ``--repeat`` requests.

    .venv/bin/python bench/pages.py [--members 100000] [--visits 5000000] [--requests 2000]
                                    [--repeat 20] [--rounds 3] [--only sqlite|postgresql]

Targets are judged only at full scale. PostgreSQL: ``BENCH_POSTGRES`` and ``BENCH_DB_PREFIX``
as for bench/purge.py.
"""

from __future__ import annotations

import argparse
import datetime
import re
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

import dataset
import report
from purge import migrate
from serving import BACKENDS, fresh_portal, one_worker, with_static_files

BENCH = Path(__file__).resolve().parent
FULL_SCALE = {"members": 100_000, "visits": 5_000_000}
RECORDS_OF_THE_MEMBER = 300
PASSWORD = "bench-only-pass-981"  # noqa: S105 (a throwaway member of a throwaway database)


def load(members: int, visits: int) -> None:
    """Members (one in ten without a product) and three months of visits; a superuser; the
    first member with records of each kind. Prints the member's and the superuser's sessions."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts import reauth
    from accounts.models import IdentityVerification, Product, User, VisitRecord
    from accounts.sessions import SessionStore
    from retention import partitions
    from retention.registry import category

    now = timezone.now()
    if connection.vendor == "postgresql":
        source = category("visit").sources[0]
        partitions.ensure_months(source, now=now, cutoff=now - datetime.timedelta(days=100))
    password = make_password(PASSWORD)
    products = list(Product.objects.values_list("pk", flat=True))
    dataset.insert(
        User,
        (
            {
                "username": f"member{n:07d}",
                "password": password,
                "company": f"Company {n % 997}",
                "project": "Apollo",
                "product_id": products[n % len(products)] if n % 10 else None,
                "date_joined": now - datetime.timedelta(minutes=n),
            }
            for n in range(members)
        ),
    )
    member = User.objects.get(username="member0000000")
    step = datetime.timedelta(days=89) / visits
    dataset.insert(
        VisitRecord,
        (
            {
                "time": now - step * n,
                "ip": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
                "method": "GET",
                "path": f"/kb/article-{n % 5000}/",
                "status": 200,
                "member_id": member.pk if n < RECORDS_OF_THE_MEMBER else None,
            }
            for n in range(visits)
        ),
    )
    dataset.insert(
        IdentityVerification,
        (
            {"time": now - datetime.timedelta(hours=n), "member_id": member.pk, "kind": "login"}
            for n in range(RECORDS_OF_THE_MEMBER)
        ),
    )
    admin = User.objects.create_superuser(username="benchadmin", password=PASSWORD)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for user in (member, admin):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[reauth.SESSION_KEY] = now.timestamp()
        session.create()
        print(session.session_key)


def ab(url: str, *, requests: int, concurrency: int, session: str | None = None) -> dict:
    """Drive ``url`` with ApacheBench (keep-alive); requests per second and median ms."""
    command = ["ab", "-q", "-k", "-n", str(requests), "-c", str(concurrency)]
    if session:
        command += ["-C", f"sessionid={session}"]
    output = subprocess.run(  # noqa: S603
        [*command, url], check=True, capture_output=True, text=True
    ).stdout
    failed = re.search(r"(Non-2xx responses|Failed requests):\s+(\d+)", output)
    if failed and int(failed.group(2)):
        raise SystemExit(f"{url}: {failed.group(0)}\n{output}")
    return {
        "per_second": float(re.search(r"Requests per second:\s+([\d.]+)", output).group(1)),
        "median_ms": float(re.search(r"^\s+50%\s+(\d+)", output, re.MULTILINE).group(1)),
    }


def latency(url: str, *, repeat: int, session: str | None = None) -> float:
    """The median of ``repeat`` requests one after the other, in ms (after one warm-up)."""
    cookie = {"Cookie": f"sessionid={session}"} if session else {}
    request = urllib.request.Request(url, headers=cookie)  # noqa: S310
    urllib.request.urlopen(request).read()  # noqa: S310
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:  # noqa: S310
            response.read()
            assert response.status == 200, url
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench(backend: str, env: dict, args) -> None:
    full = args.members >= FULL_SCALE["members"] and args.visits >= FULL_SCALE["visits"]
    migrate(env)
    started = time.perf_counter()
    member, admin = dataset.run(env, "pages:load", members=args.members, visits=args.visits).split()
    loaded = time.perf_counter() - started
    env = {**with_static_files(env), "STAFF_REQUIRE_2FA": "0"}
    unrecorded = {**env, "DJANGO_SETTINGS_MODULE": "bench.unrecorded_settings"}
    load = {"requests": args.requests, "concurrency": 4}
    home, bare, policy, healthz = [], [], [], []
    with one_worker(env) as (base, _), one_worker(unrecorded) as (plain, _):
        for url in (f"{base}/", f"{plain}/", f"{base}/privacy/", f"{base}/healthz"):
            ab(url, requests=50, concurrency=4)
        for _ in range(args.rounds):
            home.append(ab(f"{base}/", **load)["per_second"])
            bare.append(ab(f"{plain}/", **load)["per_second"])
            policy.append(ab(f"{base}/privacy/", **load)["per_second"])
            healthz.append(ab(f"{base}/healthz", **load)["per_second"])
        pages = {
            "staff dashboard": (f"{base}/admin/staff/dashboard/", admin, 300),
            "admin member list": (f"{base}/admin/accounts/user/", admin, 100),
            "my data (300 records of each kind)": (f"{base}/accounts/me/", member, None),
        }
        healthz_ms = latency(f"{base}/healthz", repeat=args.repeat)
        latencies = {
            name: latency(url, repeat=args.repeat, session=session)
            for name, (url, session, _target) in pages.items()
        }
    home, bare = statistics.median(home), statistics.median(bare)
    policy, healthz = statistics.median(policy), statistics.median(healthz)
    print(f"== {backend}: {args.members:,} members, {args.visits:,} visits (loaded in "
          f"{loaded:.0f} s); medians of {args.rounds} rounds of {args.requests}")  # fmt: skip
    print(f"   home page: {home:.0f} req/s; without the visit log {bare:.0f} req/s: "
          f"{bare / home:.2f}x (target ≤ 1.1)")  # fmt: skip
    print(f"   policy page: {policy:.0f} req/s; /healthz {healthz:.0f} req/s: "
          f"{healthz / policy:.2f}x (target ≤ 3)")  # fmt: skip
    report.add("pages", backend, "home page, visit log's cost", measured=f"{home:.0f} req/s",
               baseline=f"{bare:.0f} req/s without it", ratio=bare / home, target="≤ 1.1",
               met=(bare / home <= 1.1) if full else None)  # fmt: skip
    report.add("pages", backend, "policy page", measured=f"{policy:.0f} req/s",
               baseline=f"{healthz:.0f} req/s /healthz", ratio=healthz / policy, target="≤ 3",
               met=(healthz / policy <= 3) if full else None)  # fmt: skip
    for name, ms in latencies.items():
        target = pages[name][2]
        print(f"   {name:<36} {ms:7.1f} ms" + (f" (target < {target} ms)" if target else ""))
        report.add("pages", backend, name, measured=f"{ms:.1f} ms",
                   baseline=f"{healthz_ms:.1f} ms /healthz", ratio=ms / healthz_ms,
                   target=f"< {target} ms" if target else "",
                   met=(ms < target) if full and target else None)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=FULL_SCALE["members"])
    parser.add_argument("--visits", type=int, default=FULL_SCALE["visits"])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    for backend, label in BACKENDS.items():
        if args.only in (None, backend):
            with fresh_portal(backend, "pages") as env:
                bench(label, env, args)


if __name__ == "__main__":
    main()
