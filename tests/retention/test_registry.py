"""The retention registry: the categories of CONTRACT.md and the calendar arithmetic of periods."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from retention.registry import CATEGORIES, category, due_date

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args):
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.mark.policy("5")
def test_categories_and_periods_are_those_of_the_contract():
    assert {c.key: c.months for c in CATEGORIES} == {
        "visit": 3,
        "identity": 6,
        "misuse": 12,
        "complaint": 36,
        "contract": 60,
        "payment": 60,
        "staff_access": 24,
        "privilege_change": 36,
    }
    assert [c.period for c in CATEGORIES] == ["3m", "6m", "1y", "3y", "5y", "5y", "2y", "3y"]


@pytest.mark.parametrize(
    "key, made, due",
    [
        ("visit", seoul(2026, 1, 15, 10, 0), seoul(2026, 4, 16)),
        ("visit", seoul(2026, 1, 15, 0, 0), seoul(2026, 4, 16)),
        ("visit", seoul(2026, 1, 15, 23, 59, 59), seoul(2026, 4, 16)),
        ("visit", seoul(2025, 11, 30, 12, 0), seoul(2026, 3, 1)),
        ("identity", seoul(2026, 8, 31, 9, 0), seoul(2027, 3, 1)),
        ("misuse", seoul(2024, 2, 29, 9, 0), seoul(2025, 3, 1)),
        ("misuse", seoul(2023, 2, 28, 9, 0), seoul(2024, 3, 1)),
        ("misuse", seoul(2023, 2, 27, 9, 0), seoul(2024, 2, 28)),
        ("misuse", seoul(2026, 12, 31, 23, 0), seoul(2028, 1, 1)),
        ("contract", seoul(2024, 2, 28, 9, 0), seoul(2029, 3, 1)),
    ],
)
def test_due_date_follows_calendar_months_in_seoul(key, made, due):
    assert due_date(category(key), made) == due


def test_a_month_after_31_january_is_due_on_1_march(settings):
    from dataclasses import replace

    one_month = replace(category("visit"), months=1)
    assert due_date(one_month, seoul(2026, 1, 31, 10, 0)) == seoul(2026, 3, 1)
    assert due_date(one_month, seoul(2026, 1, 30, 10, 0)) == seoul(2026, 3, 1)
    assert due_date(one_month, seoul(2024, 1, 31, 10, 0)) == seoul(2024, 3, 1)
    assert due_date(one_month, seoul(2024, 1, 28, 10, 0)) == seoul(2024, 2, 29)


def test_utc_instants_are_counted_by_their_seoul_date():
    made = datetime.datetime(2026, 1, 14, 16, 30, tzinfo=datetime.UTC)  # 15 Jan 01:30 in Seoul
    assert due_date(category("visit"), made) == seoul(2026, 4, 16)
