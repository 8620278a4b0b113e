"""Two staff members saving the same link or contract number at the same instant (PostgreSQL).

The first request holds its uncommitted row while the second tries the same insert: the second
waits on the unique index, then gets the first's link back, or a clear duplicate error.
SQLite runs one write transaction at a time, so there the second simply comes after.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from selfservice.exceptions import DuplicateNumber
from selfservice.models import Contract, ContractChange, Coverage
from selfservice.services import contracts as services
from tests.races import waiting_on_a_lock

pytestmark = [
    pytest.mark.policy("5 나"),
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "archive"]
    ),
]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")


def race(monkeypatch, action) -> dict:
    """Run ``action`` in two threads; the first holds its transaction open until the second
    is blocked behind it."""
    holding = threading.Event()
    record = services._record

    def record_then_hold(*args, **kwargs):
        record(*args, **kwargs)
        if threading.current_thread().name == "first":
            holding.set()
            assert waiting_on_a_lock(), "the second request never met the first"

    monkeypatch.setattr(services, "_record", record_then_hold)
    outcomes = {}

    def run(name):
        try:
            outcomes[name] = action()
        except DuplicateNumber as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first",), name="first")
    second = threading.Thread(target=run, args=("second",), name="second")
    first.start()
    assert holding.wait(timeout=30)
    second.start()
    first.join()
    second.join()
    return outcomes


@pytest.mark.policy("5 나")
def test_two_simultaneous_links_of_a_member_make_one_link(
    monkeypatch, member, make_contract, make_staff
):
    contract, staff = make_contract(), make_staff(username="manager1")
    outcomes = race(
        monkeypatch,
        lambda: services.link_member(contract=contract, member=member, by=staff, ip=None),
    )
    assert outcomes["first"].pk == outcomes["second"].pk
    assert Coverage.objects.filter(member=member).count() == 1
    assert ContractChange.objects.filter(contract=contract).count() == 1


def test_two_simultaneous_contracts_with_one_number_make_one_and_an_error(
    monkeypatch, premium, product, make_staff
):
    staff = make_staff(username="manager1")

    def save():
        contract = Contract(
            number="NXC-RACE-1", company="Acme", project="Billing", tier=premium,
            starts_on="2026-01-01", ends_on="2026-12-31",
        )  # fmt: skip
        return services.save_contract(contract=contract, products=[product], by=staff)

    outcomes = race(monkeypatch, save)
    assert isinstance(outcomes["first"], Contract)
    assert isinstance(outcomes["second"], DuplicateNumber)
    assert Contract.objects.filter(number="NXC-RACE-1").count() == 1
    assert ContractChange.objects.count() == 1
