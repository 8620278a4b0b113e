"""A double submit that races itself, through gunicorn's workers on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.live import at_once

pytestmark = pytest.mark.policy("2")


def signed_up(portal, username: str, address: str):
    visitor = portal.visitor(address=address)
    visitor.get("/accounts/signup/")
    response = visitor.post(
        "/accounts/signup/",
        {
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "company": "Twice Co",
            "project": "Apollo",
            "product": "nexcore-framework",
            "agree_policy": "on",
            "adult": "on",
        },
    )
    assert response.status == 302
    return visitor


def test_the_same_inquiry_form_sent_five_times_at_once_makes_one_inquiry(portal):
    member = signed_up(portal, "doublesubmit", "192.0.2.211")
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
