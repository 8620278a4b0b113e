"""retention_report: the CONTRACT.md shape, the counts, and no personal data."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command

from retention.models import member_key
from retention.registry import CATEGORIES
from retention.services import holds
from tests.retention.conftest import BOTH, make_row, seoul

pytestmark = [pytest.mark.policy("5"), pytest.mark.django_db(databases=BOTH)]

CONTRACT_KEYS = {
    "key",
    "period",
    "basis",
    "rows",
    "rows_primary",
    "rows_archive",
    "on_hold",
    "oldest",
    "next_due",
}


def report(capsys, *args) -> str:
    call_command("retention_report", *args)
    return capsys.readouterr().out


def test_json_has_every_category_with_the_contract_keys(capsys):
    data = json.loads(report(capsys, "--json"))
    assert [entry["key"] for entry in data["categories"]] == [c.key for c in CATEGORIES]
    for entry in data["categories"]:
        assert set(entry) >= CONTRACT_KEYS
    visit = data["categories"][0]
    assert (visit["period"], visit["basis"], visit["label_ko"]) == (
        "3m",
        "Protection of Communications Secrets Act",
        "방문에 관한 기록",
    )


@pytest.mark.policy("5 가", "5 나")
def test_rows_oldest_and_next_due_are_counted_in_both_databases(capsys, make_member):
    member = make_member(username="report01")
    make_row("accounts.visitrecord", at=seoul(2026, 1, 15, 10, 0), member=member, category="visit")
    make_row("accounts.visitrecord", at=seoul(2026, 2, 1, 10, 0), member=member, category="visit")
    make_row(
        "retention.archivedrecord", at=seoul(2026, 1, 10, 8, 0), member=member, category="visit"
    )
    visit = json.loads(report(capsys, "--json"))["categories"][0]
    assert (visit["rows"], visit["rows_primary"], visit["rows_archive"]) == (3, 2, 1)
    assert visit["on_hold"] == 0
    assert visit["oldest"] == "2026-01-10T08:00:00+09:00"
    assert visit["next_due"] == "2026-04-11T00:00:00+09:00"


def test_held_rows_are_counted_and_the_hold_listed(capsys, make_member):
    member = make_member(username="report01")
    make_row("accounts.visitrecord", at=seoul(2026, 1, 15, 10, 0), member=member, category="visit")
    holds.place_hold(
        member_key=member_key(member.pk),
        reason="Dispute",
        review_on=datetime.date(2027, 1, 1),
        placed_by=None,
    )
    data = json.loads(report(capsys, "--json"))
    assert data["categories"][0]["on_hold"] == 1
    assert data["categories"][0]["next_due"] is None
    (held,) = data["holds"]
    assert held["rows"]["visit"] == 1 and held["review_on"] == "2027-01-01"


def test_the_report_names_no_member(capsys, make_member):
    member = make_member(username="secret01", company="Secret Co", ip="198.51.100.5")
    make_row("accounts.visitrecord", at=seoul(2026, 1, 15, 10, 0), member=member, category="visit")
    holds.place_hold(
        member_key=member_key(member.pk),
        reason="About secret01",
        review_on=datetime.date(2027, 1, 1),
        placed_by=None,
    )
    for output in (report(capsys), report(capsys, "--json")):
        assert "secret01" not in output and "Secret Co" not in output
        assert "198.51.100.5" not in output and "visit" in output
