"""The staff-side tests log staff in without the second factor, which has tests of its own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The second factor has its own tests (test_two_factor.py), which turn it back on.
    settings.STAFF_REQUIRE_2FA = False
