"""What the benchmarks share: a portal on fresh databases of its own, and that portal served by
gunicorn with one worker and the project's configuration."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from purge import BENCH_KEY

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@contextlib.contextmanager
def fresh_portal(backend: str, name: str, *, server: str | None = None) -> Iterator[dict[str, str]]:
    """The environment of a portal on empty databases, dropped when the block ends.

    ``DJANGO_VAR_DIR`` is a temporary folder, which also holds the SQLite files; on PostgreSQL
    the databases ``{BENCH_DB_PREFIX}_{name}`` and ``…_{name}_archive`` are created on
    ``server`` (default ``BENCH_POSTGRES``, else the local server). Nothing is migrated yet.
    """
    with tempfile.TemporaryDirectory(prefix=f"nexcore-{name}-") as work:
        env = dict(os.environ, DJANGO_SECRET_KEY=BENCH_KEY, DJANGO_VAR_DIR=work)
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
            env.pop("ARCHIVE_DATABASE_URL", None)
            yield env
            return
        import psycopg

        server = server or os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
        server = server.rstrip("/")
        prefix = os.environ.get("BENCH_DB_PREFIX", "nexcore_bench")
        names = [f"{prefix}_{name}", f"{prefix}_{name}_archive"]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for database in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{database}"')
            try:
                env["DATABASE_URL"] = f"{server}/{names[0]}"
                env["ARCHIVE_DATABASE_URL"] = f"{server}/{names[1]}"
                yield env
            finally:
                for database in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def with_static_files(env: dict[str, str]) -> dict[str, str]:
    """``env`` with its static files collected into its var folder, as a deployment has them."""
    env = {**env, "DJANGO_STATIC_ROOT": str(Path(env["DJANGO_VAR_DIR"]) / "static")}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return env


def database_addresses(env: dict[str, str]) -> tuple[str, str]:
    """The primary and the archive database of ``env``: PostgreSQL URLs, or SQLite files."""
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"], env["ARCHIVE_DATABASE_URL"]
    var = Path(env["DJANGO_VAR_DIR"])
    return str(var / "primary.sqlite3"), str(var / "archive.sqlite3")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def one_worker(env: dict[str, str], *, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve the portal of ``env`` until the block ends; yield its base URL and the server
    process (its workers, one unless told, are that process's children). Waits until
    ``/healthz`` answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "nexcore_support.wsgi", "--config",
         "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(150):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait()


def opener(session_key: str | None):
    """A browser's cookie jar, logged in with ``session_key`` (anonymous without one)."""
    jar = http.cookiejar.CookieJar()
    if session_key:
        jar.set_cookie(
            http.cookiejar.Cookie(
                0, "sessionid", session_key, None, False, "127.0.0.1", False, False, "/",
                True, False, None, False, None, None, {},
            )
        )  # fmt: skip
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
