"""A release file of 1 GB downloaded through a live gunicorn worker, whose memory must not grow.

Fresh SQLite databases in a temporary folder (a download reads one row and writes one supply
record: the database is not what is measured), a member, a published release, and a file of
``--megabytes`` random bytes added with ``manage.py add_release_file`` (timed, with the
command's peak RSS). gunicorn serves the portal with one worker and the project's
configuration. The file is then downloaded whole (200: gunicorn hands the open file to
sendfile) and from its second byte to the end (206: the portal reads it chunk by chunk through
a bounded wrapper), read at full speed and hashed by this script, while the worker's RSS is
sampled from /proc every 10 ms. Baseline, measured in the same run: reading and hashing the
stored file straight from the disk.

Prints, for each download: the worker's RSS before, at its peak and after, the peak's growth
and its ratio to the file's size, and the throughput against the baseline's. Exits 1 when the
worker grows by more than ``--max-growth-mb`` (64 MB) or a download's bytes differ or stop short.
``--client-mb-per-s`` reads as slowly as a customer's line: a download that lasts longer than
gunicorn's worker timeout (30 s) is cut off by a sync worker's timeout, not by a gthread one's.

    .venv/bin/python bench/downloads.py [--megabytes 1024] [--max-growth-mb 64]
                                        [--client-mb-per-s RATE]

CI: ``--megabytes 64``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import http.cookiejar
import os
import re
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
import report  # noqa: E402
from purge import manage, migrate  # noqa: E402
from serving import fresh_portal, one_worker, opener  # noqa: E402

MB = 1024 * 1024
FILE_NAME = "NEXCORE-bench-9.0.0.bin"


def setup() -> None:
    """A member using NEXCORE Framework, and its published release 9.0.0 (no file yet)."""
    from accounts import services
    from accounts.models import Product
    from selfservice.models import Release

    product = Product.objects.get(slug="nexcore-framework")
    services.register_member(
        username="downloader01",
        password="bench-only-pass-981!",  # noqa: S106 (a throwaway member of a throwaway database)
        company="Bench Co",
        project="Downloads",
        product=product,
        ip="127.0.0.1",
    )
    Release.objects.create(product=product, version="9.0.0", published=True, audience="users")


def session() -> None:
    """Prints the member's session key, then the release file's pk, SHA-256 and storage name."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User
    from accounts.sessions import SessionStore
    from selfservice.models import ReleaseFile

    user = User.objects.get(username="downloader01")
    stored = SessionStore()
    stored[SESSION_KEY] = str(user.pk)
    stored[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
    stored[HASH_SESSION_KEY] = user.get_session_auth_hash()
    stored.create()
    item = ReleaseFile.objects.get()
    print(stored.session_key, item.pk, item.sha256, item.storage_name)


def supply_records() -> None:
    """Prints how many supply records the downloads wrote."""
    from selfservice.models import Download

    print(Download.objects.count())


def rss_kb(pid: int) -> int:
    """The RSS of ``pid`` in kB; FileNotFoundError once it has exited."""
    match = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    if match is None:  # a zombie: exited, not yet reaped
        raise FileNotFoundError(pid)
    return int(match.group(1))


def worker_of(master: int) -> int:
    return int(Path(f"/proc/{master}/task/{master}/children").read_text().split()[0])


class Sampler(threading.Thread):
    """The highest RSS of ``pid`` seen while running, sampled every 10 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, rss_kb(pid), True

    def run(self) -> None:
        # A worker killed mid-download (gunicorn's timeout) leaves no /proc entry to read.
        with contextlib.suppress(FileNotFoundError):
            while self.running:
                self.peak = max(self.peak, rss_kb(self.pid))
                time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.join()
        with contextlib.suppress(FileNotFoundError):
            self.peak = max(self.peak, rss_kb(self.pid))
        return self.peak


@dataclass
class Measured:
    label: str
    before: int
    peak: int
    after: int
    seconds: float
    size: int
    sha256: str
    status: int


def download(
    fetch, url: str, master: int, label: str, *, headers: dict, rate: float | None
) -> Measured:
    """Fetch ``url`` at full speed, or at ``rate`` MB/s as a customer's line would."""
    worker = worker_of(master)
    before = rss_kb(worker)
    sampler = Sampler(worker)
    sampler.start()
    digest, size, status = hashlib.sha256(), 0, 0
    started = time.perf_counter()
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with fetch.open(request, timeout=600) as response:
            status = response.status
            while chunk := response.read(MB):
                digest.update(chunk)
                size += len(chunk)
                if rate:
                    time.sleep(max(0.0, size / MB / rate - (time.perf_counter() - started)))
    except (http.client.IncompleteRead, ConnectionError):
        pass  # reported as bytes cut short below
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    time.sleep(0.2)
    after = 0
    with contextlib.suppress(FileNotFoundError):
        after = rss_kb(worker)
    return Measured(label, before, peak, after, seconds, size, digest.hexdigest(), status)


def baseline(path: Path) -> tuple[float, str]:
    """Seconds to read and hash the stored file from the disk here, and its SHA-256."""
    digest = hashlib.sha256()
    started = time.perf_counter()
    with path.open("rb") as stored:
        while chunk := stored.read(MB):
            digest.update(chunk)
    return time.perf_counter() - started, digest.hexdigest()


def write_file(path: Path, megabytes: int) -> None:
    with path.open("wb") as file:
        for _ in range(megabytes):
            file.write(os.urandom(MB))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024, help="The file's size (1024).")
    parser.add_argument(
        "--max-growth-mb", type=int, default=64, help="Most the worker may grow by (64)."
    )
    parser.add_argument(
        "--client-mb-per-s",
        type=float,
        help="Read as a customer's line would, at this rate (default: as fast as possible); "
        "a download taking longer than gunicorn's worker timeout shows whether it survives.",
    )
    args = parser.parse_args()
    with fresh_portal("sqlite", "downloads") as env:
        work = Path(env["DJANGO_VAR_DIR"])
        env["DJANGO_STATIC_ROOT"] = str(work / "static")
        env["RELEASE_FILE_MAX_BYTES"] = str(args.megabytes * MB + MB)
        migrate(env)
        dataset.run(env, "downloads:setup")
        source = work / "upload" / FILE_NAME
        source.parent.mkdir()
        write_file(source, args.megabytes)
        stored_in, command_rss, _ = manage(
            env, "add_release_file", "nexcore-framework", "9.0.0", str(source), measure=True
        )
        source.unlink()
        session_key, pk, sha256, storage_name = dataset.run(env, "downloads:session").split()
        manage(env, "collectstatic", "--noinput", "-v", "0")
        base_seconds, base_sha256 = baseline(work / "releases" / storage_name)

        with one_worker(env) as (url, server):
            fetch = opener(session_key)
            # Warm the worker: its first pages load the templates and the translations.
            for page in ("/downloads/", "/downloads/nexcore-framework/9.0.0/"):
                fetch.open(f"{url}{page}").read()
            file_url = f"{url}/downloads/nexcore-framework/9.0.0/{pk}/"
            rate = args.client_mb_per_s
            runs = [
                download(
                    fetch, file_url, server.pid, "whole file (200, sendfile)", headers={}, rate=rate
                ),
                download(
                    fetch,
                    file_url,
                    server.pid,
                    "bytes=1- (206, chunks)",
                    headers={"Range": "bytes=1-"},
                    rate=rate,
                ),
            ]
        records = dataset.run(env, "downloads:supply_records").strip()

    size = args.megabytes * MB
    throughput = args.megabytes / base_seconds
    print(f"== {args.megabytes:,} MB release file through one gunicorn worker (SQLite)")
    print(f"   add_release_file: {stored_in:.1f} s ({args.megabytes / stored_in:,.0f} MB/s), "
          f"command peak RSS {command_rss:.0f} MB")  # fmt: skip
    print(f"   baseline, read and hash from disk here: {base_seconds:.2f} s "
          f"({throughput:,.0f} MB/s)")  # fmt: skip
    failed = base_sha256 != sha256
    for run in runs:
        expected = {200: size, 206: size - 1}.get(run.status)
        growth = (run.peak - run.before) / 1024
        right = run.size == expected and (run.status != 200 or run.sha256 == sha256)
        failed |= not right or growth > args.max_growth_mb
        speed = run.size / MB / run.seconds
        print(f"   {run.label:<27} {run.seconds:6.2f} s ({speed:,.0f} MB/s, "
              f"{run.seconds / base_seconds:4.1f}x the baseline's time), "
              f"bytes {'right' if right else 'WRONG'}")  # fmt: skip
        if expected and run.size < expected:
            print(f"      cut off after {run.size / MB:,.1f} MB: the worker was killed (timeout?)")
        report.add("downloads", "SQLite", f"{args.megabytes:,} MB file, {run.label}",
                   measured=f"{run.seconds:.2f} s, +{growth:.1f} MB RSS",
                   baseline=f"{base_seconds:.2f} s read and hash", ratio=run.seconds / base_seconds,
                   target=f"bytes right, < +{args.max_growth_mb} MB",
                   met=right and growth <= args.max_growth_mb)  # fmt: skip
        print(f"      worker RSS {run.before / 1024:.0f} MB before, {run.peak / 1024:.0f} MB peak, "
              f"{run.after / 1024:.0f} MB after: +{growth:.1f} MB, {growth * MB / size:.4f} "
              f"of the file's size (limit +{args.max_growth_mb} MB)")  # fmt: skip
    print(f"   supply records written: {records} (the range from byte 1 continues a download)")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
