"""Two officers (or two clicks) at the same instant, on PostgreSQL: the first holds its
uncommitted writes while the second runs into them. SQLite runs one write transaction at a
time, so there the second simply comes after."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from incidents import services
from incidents.exceptions import AlreadyNotified
from incidents.models import AffectedMember
from privacy.models import Notice
from tests.incidents.conftest import seoul
from tests.races import waiting_on_a_lock

pytestmark = [
    pytest.mark.law("PIPA §34"),
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "archive"]
    ),
]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")


def race(first_action, second_action) -> dict:
    """Run the two actions in threads; the first keeps its transaction open until the second
    is blocked behind it. Returns each one's result or error."""
    holding = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = first_action()
                holding.set()
                assert waiting_on_a_lock(), "the second never met the first"
        except Exception as error:  # noqa: BLE001 - checked by the test
            outcomes["first"] = error
            holding.set()
        finally:
            connections.close_all()

    def second():
        try:
            outcomes["second"] = second_action()
        except Exception as error:  # noqa: BLE001 - checked by the test
            outcomes["second"] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    two = threading.Thread(target=second)
    one.start()
    assert holding.wait(timeout=30)
    two.start()
    one.join()
    two.join()
    return outcomes


def test_two_selections_at_once_add_each_member_once(incident, make_member):
    for n in range(3):
        make_member(username=f"victim{n:02d}", ip=f"10.5.{n}.1")

    def select():
        return services.select_affected(incident=incident, scope=services.SCOPE_ALL)

    outcomes = race(select, select)
    assert (outcomes["first"].added, outcomes["second"].total) == (3, 3)
    assert AffectedMember.objects.count() == 3


def test_two_acknowledgements_at_once_keep_the_first(incident, member):
    services.select_affected(incident=incident, scope=services.SCOPE_ALL)
    row = AffectedMember.objects.get()
    first_at, second_at = seoul(2026, 3, 12, 8, 0), seoul(2026, 3, 12, 8, 1)
    race(
        lambda: services.acknowledge_notice(notice=row, now=first_at),
        lambda: services.acknowledge_notice(notice=row, now=second_at),
    )
    row.refresh_from_db()
    assert row.acknowledged_at == first_at


def test_two_notifications_at_once_publish_one_notice(incident):
    def notify():
        return services.notify_members(incident=incident)

    outcomes = race(notify, notify)
    assert isinstance(outcomes["second"], AlreadyNotified)
    assert Notice.objects.filter(title__contains=incident.title).count() == 1
