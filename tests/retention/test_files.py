"""The real commands on real SQLite files: no byte of a purged member survives (policy §6 나).

Each test runs manage.py in a subprocess against its own var directory, so what is checked is
what is on disk, including the write-ahead log, and the exit status a cron job would see.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from retention.locks import LOCK_FILE_NAME

pytestmark = pytest.mark.policy("6 나")

ROOT = Path(__file__).resolve().parents[2]
MEMBER_ID = b"zq7bytescan"
COMPANY = b"Zq7 Byte Works"
INQUIRY_TEXT = b"Zq7 nightly batch halts"
FILE_TEXT = b"Zq7 confidential stack trace"

SETUP = """
import time_machine
from zoneinfo import ZoneInfo
from datetime import datetime
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from accounts import services
from accounts.models import Product, User
from accounts.sessions import SessionStore

seoul = ZoneInfo("Asia/Seoul")
with time_machine.travel(datetime(2024, 1, 31, 10, tzinfo=seoul), tick=False):
    member = services.register_member(
        username="zq7bytescan", password="plum-orchard-1987!", company="Zq7 Byte Works",
        project="Apollo", product=Product.objects.first(), ip="10.9.8.7",
    )
    services.record_identity_verification(member=member, ip="10.9.8.7", kind="login")
    services.record_visit(ip="10.9.8.7", member=member, method="GET", path="/", status=200)
    services.record_lockout(username="zq7bytescan", ip="10.9.8.6")
    AccessAttempt.objects.create(
        username="zq7bytescan", ip_address="10.9.8.6", user_agent="agent", http_accept="*/*",
        path_info="/accounts/login/", get_data="", post_data="username=zq7bytescan",
        failures_since_start=5,
    )
    from django.core.files.uploadedfile import SimpleUploadedFile
    from support.forms import AttachmentsField
    from support.services import open_inquiry
    (log,) = AttachmentsField().clean(
        [SimpleUploadedFile("trace.log", b"Zq7 confidential stack trace")]
    )
    open_inquiry(
        member=member, product=member.product, category="defect",
        title="Zq7 nightly batch halts", body="Zq7 nightly batch halts since Friday.",
        attachments=[log],
    )
    import os
    from django.core.files.storage import storages
    # Stored "then": the file system keeps the real clock, which time_machine does not move.
    for folder, _dirs, names in os.walk(storages["attachments"].location):
        for name in names:
            os.utime(os.path.join(folder, name), (1706662800, 1706662800))
    staff = User.objects.create_user(username="staff01", is_staff=True)
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(User),
        object_id=str(member.pk), object_repr=member.username, action_flag=CHANGE,
        change_message="[]",
    )
    session = SessionStore()
    session["_auth_user_id"] = str(member.pk)
    session["note"] = "zq7bytescan"
    session.create()
with time_machine.travel(datetime(2024, 3, 15, 10, tzinfo=seoul), tick=False):
    services.close_account(member=member)
"""

PURGE_AT = """
import time_machine
from datetime import datetime
from zoneinfo import ZoneInfo
from django.core.management import call_command

with time_machine.travel(datetime({at}, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
    call_command("purge_expired")
"""


def environment(var_dir: Path) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "ARCHIVE_DATABASE_URL"}
    }
    env.update(DJANGO_VAR_DIR=str(var_dir), DJANGO_SECRET_KEY="test-only-key")
    return env


def manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )


def run(var_dir: Path, code: str) -> None:
    result = manage(var_dir, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("migrated")
    for database in ("default", "archive"):
        result = manage(var_dir, "migrate", "--database", database, "-v", "0")
        assert result.returncode == 0, result.stderr
    return var_dir


@pytest.fixture
def var_dir(migrated, tmp_path) -> Path:
    target = tmp_path / "var"
    shutil.copytree(migrated, target)
    return target


@contextlib.contextmanager
def site_running(var_dir: Path):
    """Idle connections to both files, as a running web server keeps: then the purge's own
    exit does not remove the write-ahead log, and only its checkpoint empties it."""
    connections = [
        sqlite3.connect(var_dir / name) for name in ("primary.sqlite3", "archive.sqlite3")
    ]
    try:
        for connection in connections:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield
    finally:
        for connection in connections:
            connection.close()


def files_containing(var_dir: Path, needle: bytes) -> list[str]:
    """Every file under ``var_dir`` (databases, logs, attachments) holding ``needle``."""
    return sorted(
        str(path.relative_to(var_dir))
        for path in var_dir.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    )


def data_key(var_dir: Path) -> bytes:
    with sqlite3.connect(var_dir / "primary.sqlite3") as db:
        (key,) = db.execute("SELECT data_key FROM support_inquiry").fetchone()
    return bytes(key)


def attachment_files(var_dir: Path) -> list[Path]:
    return [path for path in (var_dir / "attachments").rglob("*") if path.is_file()]


@pytest.mark.policy("6 나")
def test_no_byte_of_a_purged_member_remains_in_the_database_files(var_dir):
    run(var_dir, SETUP)
    assert files_containing(var_dir, MEMBER_ID), "the scan sees the member before the purge"
    with site_running(var_dir):
        run(var_dir, PURGE_AT.format(at="2024, 3, 16"))
        # Archived: the archive database holds the ID, the primary none of it, WAL included.
        assert files_containing(var_dir, MEMBER_ID) == ["archive.sqlite3"]
        assert files_containing(var_dir, COMPANY) == ["archive.sqlite3"]
        # Five years after the withdrawal of 15 March 2024 the contract record is due too.
        run(var_dir, PURGE_AT.format(at="2029, 3, 16"))
        assert files_containing(var_dir, MEMBER_ID) == []
        assert files_containing(var_dir, COMPANY) == []


@pytest.mark.policy("6 나")
def test_a_withdrawn_members_inquiry_and_file_leave_no_byte_and_no_key(var_dir):
    run(var_dir, SETUP)
    key = data_key(var_dir)
    (stored,) = attachment_files(var_dir)
    copy_taken_earlier = stored.read_bytes()
    assert FILE_TEXT not in copy_taken_earlier, "the file is stored encrypted"
    assert files_containing(var_dir, INQUIRY_TEXT), "the scan sees the inquiry before"
    with site_running(var_dir):
        run(var_dir, PURGE_AT.format(at="2024, 3, 16"))
        # An ordinary inquiry serves the account: it is destroyed at withdrawal, not kept.
        assert files_containing(var_dir, INQUIRY_TEXT) == []
        assert files_containing(var_dir, key) == []
        assert attachment_files(var_dir) == []
    # What a backup of the attachment folder kept is ciphertext whose key exists nowhere.
    assert FILE_TEXT not in copy_taken_earlier


@pytest.mark.policy("6 나")
def test_the_write_ahead_logs_are_truncated_after_a_purge(var_dir):
    run(var_dir, SETUP)
    with site_running(var_dir):
        run(var_dir, PURGE_AT.format(at="2024, 3, 16"))
        wal_files = list(var_dir.glob("*-wal"))
        assert len(wal_files) == 2
        for wal in wal_files:
            assert wal.stat().st_size == 0


def test_a_second_run_exits_75_and_says_why(var_dir):
    with (var_dir / LOCK_FILE_NAME).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = manage(var_dir, "purge_expired")
    assert result.returncode == 75
    assert "holds the lock" in result.stderr
    assert result.stdout == ""


def test_a_run_exits_0_with_one_line_per_category(var_dir):
    result = manage(var_dir, "purge_expired")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 1 + 8 + 1 + 1


MOSTLY_DUE = """
from datetime import datetime
from zoneinfo import ZoneInfo
from accounts.models import VisitRecord

made = datetime(2024, 1, 31, 10, tzinfo=ZoneInfo("Asia/Seoul"))
VisitRecord.objects.bulk_create(
    VisitRecord(time=made, ip="10.7.7.7", method="GET", path=f"/zq7-gone-{{n}}", status=200)
    for n in range({due})
)
"""

# A site busy throughout: visits written one after another from before the purge starts until
# after it ends, through the rebuild and the erasure's checkpoint.
WRITER = """
import os
from pathlib import Path
from accounts import services

written = 0
while not Path(os.environ["STOP_FILE"]).exists():
    services.record_visit(ip=None, member=None, method="GET", path=f"/zq7-new-{written}",
                          status=200)
    written += 1
    if written == 1:
        print("writing", flush=True)
print(written, flush=True)
"""


def visit_table_root(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "primary.sqlite3") as db:
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'accounts_visitrecord'"
        ).fetchone()
    return root


def count_visits(var_dir: Path, path_prefix: str) -> int:
    with sqlite3.connect(var_dir / "primary.sqlite3") as db:
        (count,) = db.execute(
            "SELECT count(*) FROM accounts_visitrecord WHERE path LIKE ?", [path_prefix + "%"]
        ).fetchone()
    return count


@pytest.mark.policy("6 나")
def test_a_table_rebuilt_with_its_staying_rows_leaves_no_byte_of_the_others(var_dir):
    run(var_dir, MOSTLY_DUE.format(due=60))
    run(var_dir, SETUP)
    root = visit_table_root(var_dir)
    with site_running(var_dir):
        result = manage(var_dir, "purge_expired", "--batch-size", "10")
        assert result.returncode == 0, result.stderr
        assert visit_table_root(var_dir) != root, "the table was rebuilt, not emptied in place"
        assert files_containing(var_dir, b"/zq7-gone-") == []
        assert files_containing(var_dir, b"10.7.7.7") == []


@pytest.mark.policy("5 나", "6 나")
def test_a_busy_site_loses_no_visit_to_the_rebuild_and_the_erasure_still_completes(
    var_dir, tmp_path
):
    run(var_dir, MOSTLY_DUE.format(due=100_000))
    root = visit_table_root(var_dir)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", WRITER],
        cwd=ROOT,
        env={**environment(var_dir), "STOP_FILE": str(stop)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "writing\n", writer.stderr.read()
        result = manage(var_dir, "purge_expired", "--batch-size", "1000")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert result.returncode == 0, result.stderr
    assert writer.returncode == 0, err
    assert visit_table_root(var_dir) != root, "the table was rebuilt while the visits came in"
    assert count_visits(var_dir, "/zq7-gone-") == 0
    assert count_visits(var_dir, "/zq7-new-") == int(out)
