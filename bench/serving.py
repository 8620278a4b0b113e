"""The portal served by gunicorn for a benchmark: one worker, the project's configuration."""

from __future__ import annotations

import contextlib
import http.cookiejar
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def one_worker(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve the portal of ``env`` until the block ends; yield its base URL and the server
    process (its one worker is that process's child). Waits until ``/healthz`` answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "nexcore_support.wsgi", "--config",
         "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
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
