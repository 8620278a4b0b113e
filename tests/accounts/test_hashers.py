"""Argon2id at the cost of the settings, never below OWASP's minimum (policy §9 가)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import hashers as django_hashers
from django.contrib.auth.hashers import get_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.hashers import check_cost
from accounts.models import User
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
ENCODED = re.compile(r"\Aargon2\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+\Z")


def cost_of(encoded: str) -> tuple[int, int, int]:
    """(memory in KiB, passes, lanes) of an Argon2id hash as Django stores it."""
    memory, passes, lanes = ENCODED.fullmatch(encoded).groups()
    return int(memory), int(passes), int(lanes)


def with_djangos_own_cost(member: User) -> str:
    """Store the member's password as Django's Argon2PasswordHasher makes it (m=100 MiB)."""
    member.password = django_hashers.Argon2PasswordHasher().encode(PASSWORD, "djangosaltdjango")
    member.save(update_fields=["password"])
    return member.password


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_a_new_hash_carries_the_configured_cost(settings):
    assert cost_of(make_password(PASSWORD)) == (19456, 2, 1)
    settings.ARGON2_MEMORY_KIB, settings.ARGON2_TIME_COST = 12288, 3
    assert cost_of(make_password(PASSWORD)) == (12288, 3, 1)


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_a_hash_made_with_djangos_cost_is_rewritten_at_the_next_login(client, member):
    old = with_djangos_own_cost(member)
    assert cost_of(old) == (102400, 2, 8)
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert cost_of(member.password) == (19456, 2, 1)
    assert member.check_password(PASSWORD)


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_a_hash_rewritten_at_the_password_recheck_keeps_the_member_logged_in(client, member):
    # A session from before the cost changed: its first password check is the re-check.
    with_djangos_own_cost(member)
    client.force_login(member)
    response = client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:me")
    member.refresh_from_db()
    assert cost_of(member.password) == (19456, 2, 1)
    assert client.get(reverse("accounts:me")).status_code == 200


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_a_hash_with_the_configured_cost_is_not_rewritten_at_login(client, member):
    stored = member.password
    assert not get_hasher().must_update(stored)
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.password == stored


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_a_wrong_password_never_rewrites_the_hash(client, member):
    old = with_djangos_own_cost(member)
    client.post(reverse("accounts:login"), {"username": member.username, "password": "wrong"})
    member.refresh_from_db()
    assert member.password == old


@pytest.mark.policy("9 가")
@pytest.mark.parametrize(
    ("memory_kib", "time_cost"),
    [(19456, 2), (12288, 3), (9216, 4), (7168, 5), (102400, 2), (7168, 8), (65536, 3)],
)
def test_a_cost_at_or_above_an_owasp_minimum_is_accepted(memory_kib, time_cost):
    check_cost(memory_kib=memory_kib, time_cost=time_cost, parallelism=1)


@pytest.mark.policy("9 가")
@pytest.mark.parametrize(
    ("memory_kib", "time_cost", "parallelism"),
    [
        (19455, 2, 1),
        (12288, 2, 1),
        (9216, 3, 1),
        (7168, 4, 1),
        (7167, 10, 1),
        (1048576, 1, 1),
        (19456, 2, 0),
    ],
)
def test_a_cost_below_the_owasp_minimum_is_refused(memory_kib, time_cost, parallelism):
    with pytest.raises(ImproperlyConfigured):
        check_cost(memory_kib=memory_kib, time_cost=time_cost, parallelism=parallelism)


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter after django.setup(), with ``env`` added."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ARGON2_")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "nexcore_support.settings",
            "DJANGO_SECRET_KEY": "test-only-not-secret",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.policy("9 가")
def test_the_environment_sets_the_cost():
    result = _python(
        "from django.contrib.auth.hashers import make_password; print(make_password('x'))",
        ARGON2_MEMORY_KIB="12288",
        ARGON2_TIME_COST="3",
        ARGON2_PARALLELISM="2",
    )
    assert result.returncode == 0, result.stderr
    assert cost_of(result.stdout.strip()) == (12288, 3, 2)


@pytest.mark.policy("9 가")
def test_the_portal_does_not_start_with_a_cost_below_the_minimum():
    result = _python("", ARGON2_MEMORY_KIB="4096", ARGON2_TIME_COST="2")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ARGON2_MEMORY_KIB=4096" in result.stderr
