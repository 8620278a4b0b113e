"""Staff accounts in each role, logged in to the admin, for the staff-side tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import User

STAFF_PASSWORD = "granite-ledger-4471!"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The second factor has its own tests (test_two_factor.py), which turn it back on.
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def make_staff(db):
    def make(username="handler01", role=None, superuser=False, password=STAFF_PASSWORD):
        if superuser:
            return User.objects.create_superuser(username=username, password=password)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def login_as(client, make_staff):
    def login(role=None, superuser=False, username=None):
        user = make_staff(
            username=username or (role or "ops01")[:12], role=role, superuser=superuser
        )
        client.force_login(user)
        return user

    return login
