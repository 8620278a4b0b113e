"""The retention registry: the categories of CONTRACT.md and the calendar arithmetic of periods."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention.registry import CATEGORIES, EXPIRING, category, due_date, purge_cutoff

pytestmark = pytest.mark.policy("5")

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args):
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.mark.policy("5 가", "5 나")
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


@pytest.mark.policy("5 가", "5 나")
def test_a_date_clock_counts_from_the_day_after_that_date_in_seoul():
    # A contract that ended on 31 December 2024: five years from 1 January 2025.
    ended = datetime.date(2024, 12, 31)
    assert due_date(category("contract"), ended) == seoul(2030, 1, 1)
    assert due_date(category("contract"), ended) == due_date(
        category("contract"), seoul(2024, 12, 31, 23, 59)
    )


# --- The inverse used by the purge, and what is registered -------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
).map(lambda moment: moment.replace(tzinfo=datetime.UTC))


@pytest.mark.policy("5 가", "5 나")
@settings(max_examples=400, deadline=None)
@given(
    key=st.sampled_from([c.key for c in CATEGORIES] + ["one_month"]),
    started_at=INSTANTS,
    now=INSTANTS,
)
def test_purge_cutoff_selects_exactly_the_records_due(key, started_at, now):
    from dataclasses import replace

    entry = replace(category("visit"), months=1) if key == "one_month" else category(key)
    assert (started_at < purge_cutoff(entry, now)) == (due_date(entry, started_at) <= now)


@pytest.mark.parametrize(
    "now, cutoff",
    [
        (seoul(2026, 4, 16, 0, 0), seoul(2026, 1, 16)),
        (seoul(2026, 4, 15, 23, 59, 59), seoul(2026, 1, 15)),
        (seoul(2026, 3, 1, 0, 0), seoul(2025, 12, 1)),  # 30 Nov made → due 1 March
        (seoul(2026, 2, 28, 12, 0), seoul(2025, 11, 28)),
    ],
)
def test_purge_cutoff_of_visits_at_month_ends(now, cutoff):
    assert purge_cutoff(category("visit"), now) == cutoff


def test_every_table_that_points_at_members_is_registered_or_explained():
    """A model holding a member's row id that the registry does not know would never be purged."""
    from django.contrib.auth import get_user_model

    registered = {source.model for entry in CATEGORIES for source in entry.sources}
    registered |= {source.model for source in EXPIRING}
    # Rows that name staff, not members, or that the user row's own delete removes.
    explained = {
        "privacy.policyversion",  # announced_by: a staff account
        "privacy.notice",
        "retention.legalhold",  # placed_by / lifted_by: staff accounts
        "auth.group",
        "auth.permission",
        "accounts.user",
    }
    pointing = {
        relation.related_model._meta.label_lower
        for relation in get_user_model()._meta.related_objects
    }
    assert pointing - registered - explained == set()


def test_every_source_names_a_real_model_and_clock():
    for entry in CATEGORIES:
        for source in entry.sources + EXPIRING:
            model = source.model_class
            head = source.clock.split("__")[0]
            assert model._meta.get_field(head), (entry.key, source.model)
            for column, _kind in source.owners:
                assert model._meta.get_field(column)
