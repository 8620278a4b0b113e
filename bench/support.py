"""The support desk at scale: 100,000 inquiries and 1,000,000 messages, SQLite and PostgreSQL.

For each backend: fresh databases are loaded through the models (bench/dataset.py) with 10,000
members with ten inquiries of ten messages each, gunicorn serves them with one worker and the
project's configuration, and a member's list of inquiries, one thread and the staff queue's
first page are each fetched ``--repeat`` times; ``/healthz``, a bare view on the same server, is
the baseline. Then a 10 MB attachment is uploaded and the worker's peak RSS is compared with its
size before. Targets: each page < 150 ms, the upload < 100 MB over the idle worker.

    .venv/bin/python bench/support.py [--members 10000] [--repeat 20] [--only sqlite|postgresql]

PostgreSQL: ``BENCH_POSTGRES`` and ``BENCH_DB_PREFIX`` as for bench/purge.py.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
import report  # noqa: E402
from purge import migrate  # noqa: E402
from serving import (  # noqa: E402
    BACKENDS,
    fresh_portal,
    one_worker,
    opener,
    with_static_files,
)

INQUIRIES_EACH, MESSAGES_EACH = 10, 10
FULL_MEMBERS = 10_000
# This module's name in a child of bench/dataset.py, where ``support`` is the portal's app.
MODULE = "bench.support"


def load(members: int) -> None:
    """``members`` members with ten inquiries of ten messages each, about the first product;
    members and inquiries numbered from 1. Then ``VACUUM ANALYZE`` on PostgreSQL."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Product, User
    from support.models import Inquiry, Message, StatusChange

    now = timezone.now()
    joined = now - datetime.timedelta(days=400)
    product = Product.objects.order_by("pk").values_list("pk", flat=True).first()
    # An inquiry was received (and its thread written) up to 5,000 hours ago.
    hours_ago = [now - datetime.timedelta(hours=hours) for hours in range(5000)]

    def threads():
        """Each inquiry with its member and its time."""
        for inquiry in range(1, members * INQUIRIES_EACH + 1):
            yield inquiry, (inquiry - 1) // INQUIRIES_EACH + 1, hours_ago[inquiry % 5000]

    dataset.insert(
        User,
        (
            {"id": member, "username": f"member{member:07d}",
             "password": UNUSABLE_PASSWORD_PREFIX, "company": f"Company {member % 997}",
             "project": "Apollo", "date_joined": joined}
            for member in range(1, members + 1)
        ),
    )  # fmt: skip
    dataset.insert(
        Inquiry,
        (
            {"id": inquiry, "number": f"NX-2026-{inquiry:07d}", "member_id": member,
             "product_id": product, "category": "question", "title": f"Question {inquiry}",
             "status": "waiting", "created_at": created, "last_activity_at": created,
             "first_response_due_at": created, "staff_answered_at": created,
             "data_key": os.urandom(32)}
            for inquiry, member, created in threads()
        ),
    )  # fmt: skip
    dataset.insert(
        StatusChange,
        (
            {"inquiry_id": inquiry, "member_id": member, "old_status": "",
             "new_status": "received", "time": created}
            for inquiry, member, created in threads()
        ),
    )  # fmt: skip
    dataset.insert(
        Message,
        (
            {"inquiry_id": inquiry, "member_id": member,
             "kind": "member" if k % 2 == 0 else "answer", "author_id": member,
             "body": f"Message {k} of inquiry {inquiry}. " * 8, "created_at": created}
            for inquiry, member, created in threads()
            for k in range(MESSAGES_EACH)
        ),
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def agent_and_sessions() -> None:
    """A desk agent (group support_agent); prints the sessions of member0000001 and the agent."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.sessions import SessionStore

    agent = User.objects.create_user(
        username="deskagent",
        password="bench-only-pass-981",  # noqa: S106 (a throwaway agent of a throwaway database)
        is_staff=True,
    )
    agent.groups.add(Group.objects.get(name="support_agent"))
    for user in (User.objects.get(username="member0000001"), agent):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        print(session.session_key)


def timed(fetch, url: str, repeat: int) -> float:
    fetch.open(url).read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with fetch.open(url) as response:
            response.read()
            assert response.status == 200, url
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def worker_memory(master: int) -> tuple[int, int]:
    """The worker's RSS now and its peak so far, in kB (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return (
        int(re.search(r"VmRSS:\s+(\d+)", status).group(1)),
        int(re.search(r"VmHWM:\s+(\d+)", status).group(1)),
    )


def upload(fetch, base: str) -> None:
    page = fetch.open(f"{base}/support/new/").read().decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    boundary = uuid.uuid4().hex
    fields = {
        "csrfmiddlewaretoken": csrf,
        "product": "nexcore-framework",
        "category": "defect",
        "title": "Large log",
        "body": "A large log is attached.",
        "submission": token,
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    log = (b"2026-11-29 10:00:00 INFO batch step finished\n" * 240_000)[: 10 * 1024 * 1024]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="batch.log"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + log
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(  # noqa: S310
        f"{base}/support/new/",
        data=b"".join(parts),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"{base}/support/new/",
        },  # fmt: skip
    )
    with fetch.open(request) as response:
        assert "/support/NX-" in response.url, response.url


def bench(backend: str, env: dict, args) -> None:
    migrate(env)
    started = time.perf_counter()
    dataset.run(env, f"{MODULE}:load", members=args.members)
    loaded = time.perf_counter() - started
    member_key, agent_key = dataset.run(env, f"{MODULE}:agent_and_sessions").split()
    env = {**with_static_files(env), "STAFF_REQUIRE_2FA": "0"}
    with one_worker(env) as (base, server):
        member, agent = opener(member_key), opener(agent_key)
        figures = {
            "/healthz (baseline)": timed(opener(None), f"{base}/healthz", args.repeat),
            "member's inquiries": timed(member, f"{base}/support/", args.repeat),
            "a thread of 10 messages": timed(
                member, f"{base}/support/NX-2026-0000001/", args.repeat
            ),
            "staff queue, first page": timed(agent, f"{base}/admin/support/inquiry/", args.repeat),
        }
        idle, _ = worker_memory(server.pid)
        upload(member, base)
        _, peak = worker_memory(server.pid)
    baseline = figures["/healthz (baseline)"]
    inquiries = args.members * INQUIRIES_EACH
    print(f"== {backend}: {inquiries:,} inquiries, {inquiries * MESSAGES_EACH:,} messages "
          f"(loaded in {loaded:.0f} s); medians of {args.repeat}")  # fmt: skip
    full = args.members >= FULL_MEMBERS
    for name, ms in figures.items():
        print(f"   {name:<28} {ms:7.1f} ms   {ms / baseline:5.1f}x the baseline (target < 150 ms)")
        if name != "/healthz (baseline)":
            report.add("support", backend, name, measured=f"{ms:.1f} ms",
                       baseline=f"{baseline:.1f} ms /healthz", ratio=ms / baseline,
                       target="< 150 ms", met=(ms < 150) if full else None)  # fmt: skip
    print(f"   10 MB upload: worker {idle / 1024:.0f} MB idle, peak {peak / 1024:.0f} MB, "
          f"+{(peak - idle) / 1024:.0f} MB (target < 100 MB)")  # fmt: skip
    report.add("support", backend, "10 MB upload, worker RSS", measured=f"{peak / 1024:.0f} MB",
               baseline=f"{idle / 1024:.0f} MB idle", ratio=peak / idle, target="< +100 MB",
               met=(peak - idle) / 1024 < 100)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=FULL_MEMBERS)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    for backend, label in BACKENDS.items():
        if args.only in (None, backend):
            with fresh_portal(backend, "desk") as env:
                bench(label, env, args)


if __name__ == "__main__":
    main()
