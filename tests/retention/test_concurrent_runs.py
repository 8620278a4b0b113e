"""Archive and purge runs started at the same moment, as separate processes on SQLite files and
on PostgreSQL: one run does the work, the others exit 75 and change nothing (policy §6)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.live import BACKENDS, ROOT, fresh_databases

MEMBERS = 60

CLOSE_MEMBERS = f"""
from django.utils import timezone
from accounts.models import Product, User
User.objects.bulk_create(
    User(
        username=f"together{{n:03d}}", password="!", company="Together Co", project="Apollo",
        product=Product.objects.first(), is_active=False, closed_at=timezone.now(),
    )
    for n in range({MEMBERS})
)
"""


@pytest.fixture(params=BACKENDS)
def databases(request, tmp_path):
    with fresh_databases(request.param, tmp_path) as databases:
        databases.shell(CLOSE_MEMBERS)
        yield databases


def start(databases, command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=databases.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.policy("6 가")
def test_simultaneous_archive_and_purge_runs_move_each_member_once(databases):
    runs = [
        start(databases, command) for command in ["archive_closed_accounts"] * 3 + ["purge_expired"]
    ]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    assert {status for status, _out, _err in results} <= {0, 75}, results
    assert 0 in {status for status, _out, _err in results}
    archived = sum(
        int(match) for _status, out, _err in results for match in re.findall(r"archived=(\d+)", out)
    )
    assert archived == MEMBERS
    assert databases.query("SELECT count(*) FROM accounts_user")[0][0] == 0
    assert (
        databases.query("SELECT count(*) FROM retention_archivedmember", database="archive")[0][0]
        == MEMBERS
    )
    locked = [err for status, _out, err in results if status == 75]
    assert all("holds the lock" in err and "Traceback" not in err for err in locked)
