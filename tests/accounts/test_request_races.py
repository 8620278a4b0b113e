"""A privacy request sent several times at once, through gunicorn's workers on SQLite and
PostgreSQL: one open request of a kind per member (policy §7)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.live import at_once

pytestmark = pytest.mark.policy("7")


def test_the_same_request_sent_five_times_at_once_is_recorded_once(portal):
    member = portal.visitor(address="192.0.2.241")
    assert member.sign_up("sametwice", PASSWORD).status == 302
    assert member.post("/accounts/reauth/", {"password": PASSWORD}).status == 302
    form = {"kind": "deletion", "details": "Delete my visit records."}

    responses = at_once([lambda: member.post("/accounts/me/requests/new/", form) for _ in range(5)])

    statuses = sorted(response.status for response in responses)
    assert statuses == [200, 200, 200, 200, 302]
    (count,) = portal.databases.query(
        "SELECT count(*) FROM privacy_privacyrequest r JOIN accounts_user u ON u.id = r.member_id "
        "WHERE u.username = %s AND r.kind = %s",
        ("sametwice", "deletion"),
    )[0]
    assert count == 1
    assert "Traceback" not in portal.log()
