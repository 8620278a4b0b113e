"""Members who signed up before a policy change, and their login, for the §12 tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def login(client, member):
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 302, "the member could not log in"


@pytest.fixture
def member_before_change(make_member):
    with time_machine.travel(seoul(2026, 2, 1), tick=False):
        return make_member()
