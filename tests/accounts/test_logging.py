"""No ID, password or address in application logs (brief: personal data is minimised)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("9 나")

SECRETS = ("member01", PASSWORD, "wrong-password-77", "203.0.113.250")


def test_logins_failures_and_lockouts_log_no_personal_data(client, member, caplog):
    caplog.set_level(logging.DEBUG)
    login = reverse("accounts:login")
    for _ in range(6):
        client.post(
            login,
            {"username": "member01", "password": "wrong-password-77"},
            REMOTE_ADDR="203.0.113.250",
        )
    client.post(login, {"username": "member01", "password": PASSWORD}, REMOTE_ADDR="203.0.113.251")
    client.get("/no-such-page/", REMOTE_ADDR="203.0.113.250")
    assert caplog.records, "the lockout path does log something"
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRETS:
        assert secret not in text
