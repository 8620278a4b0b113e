"""``announce_policy``: exit 0 and what was announced; exit 2 with the reason, and no trace."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from privacy.models import Notice, PolicyVersion
from tests.privacy.factories import BODY_V2

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.policy("12")


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "policy-2.md"
    path.write_text(BODY_V2, encoding="utf-8")
    return path


def run(*args):
    out = StringIO()
    call_command("announce_policy", *map(str, args), stdout=out)
    return out.getvalue()


def test_announces_with_defaults_and_prints_what_was_done(policy, text_file):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=SEOUL), tick=False):
        output = run(text_file, "--effective", "2026-03-10", "--summary", "보존기간 정리")
    version = PolicyVersion.objects.get(label="2.0")
    assert version.title == "NEXCORE 고객지원 서비스 센터 개인정보처리방침"
    assert version.effective_at == datetime.datetime(2026, 3, 10, tzinfo=SEOUL)
    assert version.summary == "보존기간 정리"
    assert "2.0" in output and "2026-03-10 00:00" in output
    assert Notice.objects.filter(policy_version=version).exists()


def test_material_flag_and_label(policy, text_file):
    with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=SEOUL), tick=False):
        run(text_file, "--effective", "2026-03-31", "--label", "1.1", "--material")
    assert PolicyVersion.objects.get(label="1.1").material


@pytest.mark.parametrize(
    "args",
    [
        ["--effective", "2026-03-07"],
        ["--effective", "2026-03-30", "--material"],
        ["--effective", "2026-13-01"],
        ["--effective", "2026-04-01", "--label", "1.0"],
        ["--effective", "2026-04-01", "--label", "bad label!"],
    ],
)
def test_refusals_exit_2_and_write_nothing(policy, text_file, args):
    versions, notices = PolicyVersion.objects.count(), Notice.objects.count()
    moment = datetime.datetime(2026, 3, 1, 0, 1, tzinfo=SEOUL)
    with time_machine.travel(moment, tick=False), pytest.raises(CommandError) as refused:
        run(text_file, *args)
    assert refused.value.returncode == 2
    assert str(refused.value)
    assert (PolicyVersion.objects.count(), Notice.objects.count()) == (versions, notices)


def test_unreadable_or_empty_file_is_refused(policy, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"\xff\xfe broken")
    for path in (empty, latin, tmp_path / "missing.md"):
        with pytest.raises(CommandError) as refused:
            run(path, "--effective", "2030-01-01")
        assert refused.value.returncode == 2
