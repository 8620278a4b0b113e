"""A double submit that races itself, through gunicorn's workers on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.live import at_once

pytestmark = pytest.mark.policy("2 가")


def test_the_same_inquiry_form_sent_five_times_at_once_makes_one_inquiry(portal):
    member = portal.visitor(address="192.0.2.211")
    assert member.sign_up("doublesubmit", PASSWORD).status == 302
    page = member.get("/support/new/").body
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    form = {
        "product": "nexcore-framework",
        "category": "defect",
        "title": "Sent twice",
        "body": "The button was pressed five times.",
        "submission": token,
    }
    responses = at_once([lambda: member.post("/support/new/", form) for _ in range(5)])
    assert [response.status for response in responses] == [302] * 5
    assert len({response.headers["Location"] for response in responses}) == 1
    (count,) = portal.databases.query(
        "SELECT count(*) FROM support_inquiry WHERE title = %s", ("Sent twice",)
    )[0]
    assert count == 1
    assert "Traceback" not in portal.log()
