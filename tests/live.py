"""A real portal for the tests that only fail under real concurrency or in real processes.

``live_portal`` migrates fresh databases — SQLite files in a temporary var directory, or two new
PostgreSQL databases on the server ``DATABASE_URL`` names — and serves them with gunicorn and
the project's ``gunicorn.conf.py``, several worker processes, as ``make run`` does. ``Visitor``
is a browser without a screen: cookies, the CSRF token, no redirects followed.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")
SIGNUP = "/accounts/signup/"


def postgres_server() -> str | None:
    """The PostgreSQL server of this test run (``DATABASE_URL`` without its database), if any."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return url.rsplit("/", 1)[0]


def require_backend(backend: str) -> None:
    if backend == "postgresql" and postgres_server() is None:
        pytest.skip("PostgreSQL: this run has no DATABASE_URL (CI runs the suite on both)")


def _environment(**extra: str) -> dict[str, str]:
    keep = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "ARCHIVE_DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {**keep, "DJANGO_SECRET_KEY": "live-test-key", **extra}


@dataclass
class Databases:
    """The primary and archive database of one live portal, and how to reach them directly."""

    backend: str
    env: dict[str, str]
    urls: dict[str, str]

    def query(self, sql: str, params: tuple = (), *, database: str = "default") -> list[tuple]:
        """Run ``sql`` (``%s`` placeholders) on the portal's own database and return the rows."""
        if self.backend == "sqlite":
            with contextlib.closing(sqlite3.connect(self.urls[database], timeout=30)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.urls[database], autocommit=True) as db:
            cursor = db.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def manage(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def shell(self, code: str) -> str:
        """Run Python in the portal's environment (``manage.py shell``) and return its output."""
        result = self.manage("shell", "--no-imports", "-c", code)
        assert result.returncode == 0, result.stderr
        return result.stdout


@contextlib.contextmanager
def fresh_databases(backend: str, tmp_path: Path, **settings: str) -> Iterator[Databases]:
    """Migrated, empty databases of ``backend``, dropped afterwards."""
    require_backend(backend)
    if backend == "sqlite":
        env = _environment(DJANGO_VAR_DIR=str(tmp_path), **settings)
        urls = {"default": str(tmp_path / "primary.sqlite3")}
        urls["archive"] = str(tmp_path / "archive.sqlite3")
        names: list[str] = []
    else:
        import psycopg

        server = postgres_server()
        names = [f"nexcore_live_{uuid.uuid4().hex[:10]}", ""]
        names[1] = f"{names[0]}_archive"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
        urls = {"default": f"{server}/{names[0]}", "archive": f"{server}/{names[1]}"}
        env = _environment(
            DJANGO_VAR_DIR=str(tmp_path),
            DATABASE_URL=urls["default"],
            ARCHIVE_DATABASE_URL=urls["archive"],
            **settings,
        )
    databases = Databases(backend=backend, env=env, urls=urls)
    try:
        for alias in ("default", "archive"):
            result = databases.manage("migrate", "--database", alias, "-v", "0")
            assert result.returncode == 0, result.stderr
        yield databases
    finally:
        if names:
            import psycopg

            with psycopg.connect(f"{postgres_server()}/postgres", autocommit=True) as admin:
                for name in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LivePortal:
    url: str
    databases: Databases
    log_file: Path
    server: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """The gunicorn workers serving now (the master's children, Linux /proc)."""
        pid = self.server.pid
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]

    def log(self) -> str:
        """Everything gunicorn and the portal wrote to stdout and stderr so far."""
        return self.log_file.read_text(errors="replace")

    def visitor(self, *, address: str | None = None) -> Visitor:
        return Visitor(self.url, address=address)


@contextlib.contextmanager
def live_portal(databases: Databases, tmp_path: Path, *, workers: int = 4) -> Iterator[LivePortal]:
    """gunicorn serving ``databases`` with the project's configuration, until the block ends.

    Static files are collected for it first, into the temporary folder, as a deployment does.
    """
    static = tmp_path / "static"
    env = {**databases.env, "DJANGO_STATIC_ROOT": str(static)}
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    log_file = tmp_path / f"gunicorn-{port}.log"
    with log_file.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "nexcore_support.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    portal = LivePortal(
        url=f"http://127.0.0.1:{port}", databases=databases, log_file=log_file, server=server
    )
    try:
        _wait_until_healthy(portal, server)
        yield portal
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_healthy(portal: LivePortal, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, portal.log()
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"{portal.url}/healthz", timeout=2).status == 200:  # noqa: S310
                return
        time.sleep(0.2)
    raise AssertionError(f"the portal did not start:\n{portal.log()}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]


class Visitor:
    """One browser: its own cookies, the CSRF token taken from its cookie for every POST.

    ``address`` is sent as X-Forwarded-For, which the portal reads when started with
    ``DJANGO_PROXY_COUNT=1``: each visitor can then come from an address of its own.
    """

    def __init__(self, base_url: str, *, address: str | None = None):
        self.base_url = base_url
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def _cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        body = None
        if data is not None:
            fields = {"csrfmiddlewaretoken": self._cookie("csrftoken"), **data}
            body = urllib.parse.urlencode(fields, doseq=True).encode()
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url}{path}",
            data=body,
            method=method,
            headers={
                **self.headers,
                **({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
            },
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return Response(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(errors="replace"), dict(error.headers))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def sign_up(self, username: str, password: str) -> Response:
        """Open the sign-up page (for the CSRF cookie) and open an account ``username``; a
        302 leaves this visitor logged in."""
        self.get(SIGNUP)
        return self.post(SIGNUP, signup_form(username, password))


def signup_form(username: str, password: str) -> dict[str, str]:
    """The sign-up form filled in for ``username`` (CONTRACT.md, ``/accounts/signup/``)."""
    return {
        "username": username,
        "password1": password,
        "password2": password,
        "company": "Race Condition Co",
        "project": "Apollo",
        "product": "nexcore-framework",
        "agree_policy": "on",
        "adult": "on",
    }


def at_once(actions: list[Callable[[], Response]]) -> list[Response]:
    """Run ``actions`` in threads released together, and return their responses in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Response | BaseException | None] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = actions[index]()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's own thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]
