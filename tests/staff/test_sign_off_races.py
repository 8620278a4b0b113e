"""The officer's sign-off sent twice at the same moment, through gunicorn's workers on SQLite
and PostgreSQL (고시 제8조): one sign-off is kept, the other request is refused cleanly."""

from __future__ import annotations

import pytest
from django_otp.oath import totp

from tests.conftest import STAFF_PASSWORD
from tests.live import at_once

pytestmark = pytest.mark.law("고시 제8조")

KEY = "3132333435363738393031323334353637383930"
MAKE_OFFICER = f"""
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User

officer = User.objects.create_user(
    username="{{username}}", password="{STAFF_PASSWORD}", is_staff=True
)
officer.groups.add(Group.objects.get(name="privacy_officer"))
TOTPDevice.objects.create(user=officer, name="race", key="{KEY}", confirmed=True)
"""


def officer_logged_in(portal, username):
    """A visitor logged in to the admin as a new privacy officer, second factor included."""
    portal.databases.shell(MAKE_OFFICER.format(username=username))
    officer = portal.visitor(address="192.0.2.231")
    officer.get("/admin/login/")
    login = {"username": username, "password": STAFF_PASSWORD, "next": "/admin/"}
    assert officer.post("/admin/login/?next=/admin/", login).status == 302
    token = f"{totp(bytes.fromhex(KEY)):06d}"
    assert officer.post("/admin/staff/2fa/verify/", {"token": token}).status == 302
    return officer


def test_a_sign_off_sent_twice_at_once_is_kept_once(portal):
    officer = officer_logged_in(portal, f"raceofficer{portal.databases.backend[:2]}")
    form = {"month": "2020-01", "remarks": "Reviewed twice by mistake."}
    responses = at_once(
        [lambda: officer.post("/admin/staff/access-review/", form) for _ in range(2)]
    )
    assert [response.status for response in responses] == [302, 302]
    back = "/admin/staff/access-review/?month=2020-01"
    assert [response.headers["Location"] for response in responses] == [back, back]
    rows = portal.databases.query(
        "SELECT signed_by_username, remarks FROM staff_accessreviewsignoff WHERE month = %s",
        ("2020-01-01",),
    )
    assert len(rows) == 1 and rows[0][1] == "Reviewed twice by mistake."
    assert "Traceback" not in portal.log()
