"""Sign-ups racing each other, through gunicorn's workers on SQLite files and on PostgreSQL.

Policy §2 가 (가입횟수 제한) and the unique ID hold when requests arrive at the same instant:
counting and inserting happen one sign-up after the other, and a lost race is a form error.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts import services
from accounts.exceptions import SignupLimitReached
from accounts.models import User
from tests.conftest import PASSWORD
from tests.live import SIGNUP, at_once, signup_form
from tests.races import waiting_on_a_lock


def ready_visitors(portal, addresses: list[str]):
    """Visitors who opened the sign-up page (and so hold a CSRF cookie), one per address."""
    visitors = [portal.visitor(address=address) for address in addresses]
    for visitor in visitors:
        assert visitor.get(SIGNUP).status == 200
    return visitors


def accounts_named(portal, prefix: str) -> int:
    rows = portal.databases.query(
        "SELECT count(*) FROM accounts_user WHERE username LIKE %s", (f"{prefix}%",)
    )
    return rows[0][0]


@pytest.mark.policy("2 가")
def test_twenty_simultaneous_signups_from_one_address_open_exactly_the_allowance(portal):
    visitors = ready_visitors(portal, ["198.51.100.10"] * 20)
    forms = [signup_form(f"limit{n:02d}", PASSWORD) for n in range(len(visitors))]
    responses = at_once(
        [
            lambda visitor=visitor, form=form: visitor.post(SIGNUP, form)
            for visitor, form in zip(visitors, forms, strict=True)
        ]
    )
    statuses = sorted(response.status for response in responses)
    assert statuses == [302] * 5 + [429] * 15, statuses
    assert accounts_named(portal, "limit") == 5


@pytest.mark.policy("1 가")
def test_simultaneous_signups_for_one_new_id_make_one_account_and_form_errors(portal):
    addresses = [f"203.0.113.{n}" for n in range(1, 9)]
    visitors = ready_visitors(portal, addresses)
    responses = at_once(
        [
            lambda visitor=visitor: visitor.post(SIGNUP, signup_form("samerace", PASSWORD))
            for visitor in visitors
        ]
    )
    statuses = sorted(response.status for response in responses)
    assert statuses == [200] * 7 + [302], statuses
    for response in responses:
        if response.status == 200:
            assert (
                "이미 사용 중인 아이디입니다" in response.body or "already in use" in response.body
            )
    assert accounts_named(portal, "samerace") == 1
    assert "Traceback" not in portal.log()


@pytest.mark.policy("2 가")
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "archive"])
def test_a_second_signup_from_the_address_waits_until_the_first_has_counted_and_inserted(
    settings, product, policy, monkeypatch
):
    """PostgreSQL's READ COMMITTED lets two transactions count before either inserts; the
    second must wait on the address's lock. (SQLite runs one write transaction at a time.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the live test covers it")
    settings.SIGNUPS_PER_IP_PER_DAY = 1
    counted, go_on = threading.Event(), threading.Event()
    count = services.signups_left

    def count_then_hold(**kwargs):
        left = count(**kwargs)
        if threading.current_thread().name == "first":
            counted.set()
            go_on.wait(timeout=30)
        return left

    monkeypatch.setattr(services, "signups_left", count_then_hold)
    outcomes = {}

    def sign_up(name):
        try:
            services.register_member(
                username=f"{name}01",
                password=PASSWORD,
                company="Co",
                project="P",
                product=product,
                ip="192.0.2.55",
            )
            outcomes[name] = "created"
        except SignupLimitReached:
            outcomes[name] = "refused"
        finally:
            connections.close_all()

    first = threading.Thread(target=sign_up, args=("first",), name="first")
    second = threading.Thread(target=sign_up, args=("second",), name="second")
    first.start()
    assert counted.wait(timeout=30)
    second.start()
    assert waiting_on_a_lock(locktype="advisory"), "the second sign-up counted while the first held"
    go_on.set()
    first.join()
    second.join()
    assert outcomes == {"first": "created", "second": "refused"}
    assert User.objects.filter(username__in=["first01", "second01"]).count() == 1
