"""The support desk at scale: 100,000 inquiries and 1,000,000 messages, SQLite and PostgreSQL.

For each backend: fresh databases are loaded (10,000 members with ten inquiries of ten messages
each), gunicorn serves them with one worker and the project's configuration, and a member's list
of inquiries, one thread and the staff queue's first page are each fetched ``--repeat`` times;
``/healthz``, a bare view on the same server, is the baseline. Then a 10 MB attachment is
uploaded and the worker's peak RSS is compared with its size before. Targets: each page < 150 ms,
the upload < 100 MB over the idle worker.

    .venv/bin/python bench/support.py [--members 10000] [--repeat 20] [--only sqlite|postgresql]

PostgreSQL: ``BENCH_POSTGRES`` and ``BENCH_DB_PREFIX`` as for bench/purge.py.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from purge import ROOT, migrate  # noqa: E402
from serving import BACKENDS, database_addresses, fresh_portal, one_worker, opener  # noqa: E402

INQUIRIES_EACH, MESSAGES_EACH = 10, 10
SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
from accounts.sessions import SessionStore
for username in ("member0000001", "deskagent"):
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)
"""
AGENT = """
from django.contrib.auth.models import Group
from accounts.models import User
agent = User.objects.create_user(
    username="deskagent", password="bench-only-pass-981", is_staff=True
)
agent.groups.add(Group.objects.get(name="support_agent"))
"""


def rows(members: int, now: datetime.datetime):
    """Members, inquiries, messages and status changes as tuples, ids counted from 1."""
    users, inquiries, messages, changes = [], [], [], []
    joined = now - datetime.timedelta(days=400)
    message_id = 0
    for member in range(1, members + 1):
        users.append((member, f"member{member:07d}", "!", f"Company {member % 997}", "Apollo",
                      joined, True, False, False))  # fmt: skip
        for n in range(INQUIRIES_EACH):
            inquiry = (member - 1) * INQUIRIES_EACH + n + 1
            created = now - datetime.timedelta(hours=inquiry % 5000)
            inquiries.append((inquiry, f"NX-2026-{inquiry:07d}", member, 1, "question",
                              f"Question {inquiry}", "waiting", False, "web", created, created,
                              created, created, os.urandom(32), ""))  # fmt: skip
            changes.append((inquiry, member, "", "received", created, False))
            for k in range(MESSAGES_EACH):
                message_id += 1
                kind = "member" if k % 2 == 0 else "answer"
                messages.append((message_id, inquiry, member, kind, member,
                                 f"Message {k} of inquiry {inquiry}. " * 8, created))  # fmt: skip
    return users, inquiries, messages, changes


INSERTS = {
    "users": "INSERT INTO accounts_user (id, username, password, company, project, date_joined, "
    "is_active, is_staff, is_superuser) VALUES (%s)",
    "inquiries": "INSERT INTO support_inquiry (id, number, member_id, product_id, category, "
    "title, status, is_complaint, channel, created_at, last_activity_at, first_response_due_at, "
    "staff_answered_at, data_key, rating_comment) VALUES (%s)",
    "messages": "INSERT INTO support_message (id, inquiry_id, member_id, kind, author_id, body, "
    "created_at) VALUES (%s)",
    "changes": "INSERT INTO support_statuschange (inquiry_id, member_id, old_status, new_status, "
    "time, by_staff) VALUES (%s)",
}


def load(backend: str, address: str, members: int) -> None:
    now = datetime.datetime.now(datetime.UTC)
    data = dict(zip(INSERTS, rows(members, now), strict=True))
    if backend == "sqlite":
        with contextlib.closing(sqlite3.connect(address)) as db:
            for key, sql in INSERTS.items():
                values = [tuple(_sqlite(v) for v in row) for row in data[key]]
                db.executemany(sql % ", ".join("?" * len(values[0])), values)
            db.commit()
        return
    import psycopg

    with psycopg.connect(address) as db:
        for key, sql in INSERTS.items():
            columns = sql.split("(", 1)[1].split(")", 1)[0]
            table = sql.split()[2]
            with db.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data[key]:
                    copy.write_row(row)
        for table in ("accounts_user", "support_inquiry", "support_message"):
            sequence = (
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608, E501
            )
            db.execute(sequence)
        db.commit()
    with psycopg.connect(address, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _sqlite(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


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


def bench(backend: str, env: dict, primary: str, args) -> None:
    migrate(env)
    started = time.perf_counter()
    load(backend.lower(), primary, args.members)
    loaded = time.perf_counter() - started
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", AGENT],
        cwd=ROOT,
        env=env,
        check=True,
    )  # noqa: S603
    member_key, agent_key = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SESSION],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    static = Path(env["DJANGO_VAR_DIR"]) / "static"
    env = {**env, "DJANGO_STATIC_ROOT": str(static), "STAFF_REQUIRE_2FA": "0"}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
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
    for name, ms in figures.items():
        print(f"   {name:<28} {ms:7.1f} ms   {ms / baseline:5.1f}x the baseline (target < 150 ms)")
    print(f"   10 MB upload: worker {idle / 1024:.0f} MB idle, peak {peak / 1024:.0f} MB, "
          f"+{(peak - idle) / 1024:.0f} MB (target < 100 MB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    for backend, label in BACKENDS.items():
        if args.only in (None, backend):
            with fresh_portal(backend, "desk") as env:
                bench(label, env, database_addresses(env)[0], args)


if __name__ == "__main__":
    main()
