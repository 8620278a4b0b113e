"""Logins per second at concurrency 4, as ``make run`` serves them (two gunicorn workers).

A member is created with the configured password hasher; ApacheBench posts the login form
(the same CSRF cookie and token each time, no session kept, so every request logs in afresh);
each must answer with the redirect of a successful login. The baseline is what the hashing
alone allows in the same run: Argon2 verifications per second of that member's hash, in two
threads (two cores), with nothing else. Target: ≥ 25 logins/s (judged at ``--logins`` ≥ 400).

    .venv/bin/python bench/login.py [--logins 400] [--only sqlite|postgresql]

PostgreSQL: ``BENCH_POSTGRES`` and ``BENCH_DB_PREFIX`` as for bench/purge.py.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

import dataset
import report
from purge import migrate
from serving import BACKENDS, fresh_portal, one_worker, with_static_files

PASSWORD = "bench-only-pass-981"  # noqa: S105 (a throwaway member of a throwaway database)
FULL_SCALE = 400


def load() -> None:
    """One member, hashed as the settings hash; prints the hash's verifications per second."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import check_password

    from accounts.models import User

    member = User.objects.create_user(username="benchmember", password=PASSWORD)
    verifications = 40
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        assert all(
            pool.map(lambda _: check_password(PASSWORD, member.password), range(verifications))
        )
    print(verifications / (time.perf_counter() - started), member.password.split("$")[3])


def csrf(base: str) -> tuple[str, str]:
    """A CSRF cookie and the form token that goes with it, from the login page."""
    with urllib.request.urlopen(f"{base}/accounts/login/") as response:  # noqa: S310
        cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
        page = response.read().decode()
    return cookie, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def logins_per_second(base: str, logins: int) -> float:
    cookie, token = csrf(base)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "benchmember", "password": PASSWORD}
    )
    with tempfile.NamedTemporaryFile("w", suffix=".form") as body:
        body.write(form)
        body.flush()
        output = subprocess.run(  # noqa: S603
            ["ab", "-q", "-n", str(logins), "-c", "4", "-p", body.name,  # noqa: S607
             "-T", "application/x-www-form-urlencoded", "-C", f"csrftoken={cookie}",
             f"{base}/accounts/login/"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    # A successful login redirects; a refused one shows the form again (200).
    redirects = re.search(r"Non-2xx responses:\s+(\d+)", output)
    if not redirects or int(redirects.group(1)) != logins:
        raise SystemExit(f"not every login succeeded:\n{output}")
    return float(re.search(r"Requests per second:\s+([\d.]+)", output).group(1))


def bench(backend: str, env: dict, args) -> None:
    migrate(env)
    hashes, parameters = dataset.run(env, "login:load").split()
    hashes = float(hashes)
    with one_worker(with_static_files(env), workers=2) as (base, _):
        logins_per_second(base, 8)
        rate = logins_per_second(base, args.logins)
    print(f"== {backend}: {rate:.1f} logins/s at concurrency 4 ({args.logins} logins); "
          f"Argon2 {parameters} alone: {hashes:.1f} verifications/s in 2 threads")  # fmt: skip
    report.add("login", backend, f"logins at concurrency 4, Argon2 {parameters}",
               measured=f"{rate:.1f}/s", baseline=f"{hashes:.1f}/s hashing alone",
               ratio=hashes / rate, target="≥ 25/s",
               met=(rate >= 25) if args.logins >= FULL_SCALE else None)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=FULL_SCALE)
    parser.add_argument("--only", choices=list(BACKENDS))
    args = parser.parse_args()
    for backend, label in BACKENDS.items():
        if args.only in (None, backend):
            with fresh_portal(backend, "login") as env:
                bench(label, env, args)


if __name__ == "__main__":
    sys.exit(main())
