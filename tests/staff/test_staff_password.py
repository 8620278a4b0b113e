"""Staff passwords (policy §9 다): renewed every 90 days, none of the last 5 again, axes lockout."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import MisuseRecord
from staff.roles import PRIVACY_HANDLER
from tests.conftest import STAFF_PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.policy("9 다")


def admin_login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )


def change_password(client, old, new):
    return client.post(
        reverse("admin:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.fixture
def handler(make_staff):
    with time_machine.travel(START, tick=False):
        return make_staff(username="handler01", role=PRIVACY_HANDLER)


def test_a_password_younger_than_90_days_is_accepted(client, handler):
    with time_machine.travel(START + datetime.timedelta(days=89, hours=23), tick=False):
        assert admin_login(client, "handler01", STAFF_PASSWORD).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_after_90_days_the_staff_member_must_change_it_at_next_login(client, handler):
    with time_machine.travel(START + datetime.timedelta(days=90), tick=False):
        assert admin_login(client, "handler01", STAFF_PASSWORD).status_code == 302
        response = client.get(reverse("admin:accounts_user_changelist"))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:password_change")
        assert client.get(reverse("admin:password_change")).status_code == 200
        assert change_password(client, STAFF_PASSWORD, "fresh-meadow-9921!").status_code == 302
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_the_age_limit_follows_the_setting(client, handler, settings):
    settings.STAFF_PASSWORD_MAX_AGE_DAYS = 30
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        admin_login(client, "handler01", STAFF_PASSWORD)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:password_change")


def test_none_of_the_last_five_passwords_can_be_chosen_again(client, handler):
    passwords = [STAFF_PASSWORD] + [f"rotation-{n}-harbour!" for n in range(1, 6)]
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        admin_login(client, "handler01", STAFF_PASSWORD)
        for old, new in zip(passwords, passwords[1:], strict=False):
            assert change_password(client, old, new).status_code == 302, new
        current = passwords[-1]
        for reused in passwords[-5:]:
            response = change_password(client, current, reused)
            assert response.status_code == 200, reused
            assert "password_reused" in {
                error.code for error in response.context["form"].errors.as_data()["new_password2"]
            }
        # The sixth-last is old enough to come back.
        assert change_password(client, current, passwords[0]).status_code == 302


def test_members_passwords_have_no_history_rule(member, db):
    from django.contrib.auth.password_validation import validate_password

    from tests.conftest import PASSWORD

    validate_password(PASSWORD, member)  # the same password again is the member's choice


def test_the_admin_login_is_behind_the_same_lockout(client, handler):
    for _ in range(4):
        assert admin_login(client, "handler01", "wrong-password").status_code == 200
    assert admin_login(client, "handler01", "wrong-password").status_code == 429
    assert admin_login(client, "handler01", STAFF_PASSWORD).status_code == 429
    assert MisuseRecord.objects.filter(kind="lockout", member=handler).exists()


def test_a_member_given_staff_rights_must_set_a_new_password_first(client, member):
    from tests.conftest import PASSWORD

    member.is_staff = True
    member.save()
    assert admin_login(client, member.username, PASSWORD).status_code == 302
    assert client.get(reverse("admin:index"))["Location"] == reverse("admin:password_change")


def test_upgrading_the_hash_at_login_does_not_renew_the_password(client, handler):
    from staff.models import StaffCredential

    before = StaffCredential.objects.get(user=handler)
    from django.contrib.auth.hashers import make_password

    handler.refresh_from_db()
    # What check_password's setter saves, alone: a new hash (new salt) of the same password.
    handler.password = make_password(STAFF_PASSWORD)
    handler.save(update_fields=["password"])
    after = StaffCredential.objects.get(user=handler)
    assert after.password_changed_at == before.password_changed_at
    assert after.previous_hashes == before.previous_hashes
