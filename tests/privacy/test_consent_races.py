"""A member agrees to a changed policy once, even when the form is sent twice at once (§12)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.live import at_once

ANNOUNCE_A_CHANGE_IN_FORCE = """
import datetime
from django.utils import timezone
from privacy.models import PolicyVersion
from privacy.services import announce_policy_version

now = timezone.now()
version = PolicyVersion(
    label="race-{label}", title="개인정보처리방침", body="# 개인정보처리방침\\n\\n변경된 본문",
    requires_consent=True, effective_at=now - datetime.timedelta(minutes=1),
)
announce_policy_version(version=version, now=now - datetime.timedelta(days=40))
"""


@pytest.mark.policy("12")
def test_agreeing_twice_at_once_records_one_consent(portal):
    member = portal.visitor(address="192.0.2.201")
    assert member.sign_up("twiceagree", PASSWORD).status == 302
    portal.databases.shell(ANNOUNCE_A_CHANGE_IN_FORCE.format(label=portal.databases.backend))
    assert member.get("/accounts/me/edit/").headers["Location"].startswith("/privacy/consent/")

    responses = at_once(
        [lambda: member.post("/privacy/consent/", {"agree_policy": "on"}) for _ in range(6)]
    )

    assert [response.status for response in responses] == [302] * 6
    (count,) = portal.databases.query(
        "SELECT count(*) FROM privacy_consent c JOIN accounts_user u ON u.id = c.member_id "
        "WHERE u.username = %s AND c.kind = %s",
        ("twiceagree", "reconsent"),
    )[0]
    assert count == 1
