"""A handler flags a member for misuse and may suspend the account; both are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import MemberSession, MisuseRecord
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, SUPPORT_AGENT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("2 가")


def test_a_flag_with_suspension_writes_the_records_and_ends_every_session(
    client, login_as, member, django_user_model
):
    from django.test import Client

    member_client = Client()
    assert (
        member_client.post(
            reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert MemberSession.objects.filter(member=member).exists()
    handler = login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_flag", args=[member.pk]),
        {"reason": "Scraping the notices", "suspend": "on"},
    )
    assert response.status_code == 302
    flag = MisuseRecord.objects.get(kind=MisuseRecord.Kind.STAFF_FLAG)
    assert flag.member == member and flag.reason == "Scraping the notices"
    assert flag.flagged_by == handler
    member.refresh_from_db()
    assert member.is_active is False
    assert not MemberSession.objects.filter(member=member).exists()
    actions = set(AccessRecord.objects.filter(member=member).values_list("action", flat=True))
    assert {"flag", "suspend"} <= actions
    assert member_client.get(reverse("accounts:me")).status_code == 302


def test_a_flag_without_suspension_leaves_the_account_open(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    client.post(reverse("admin:accounts_user_flag", args=[member.pk]), {"reason": "Odd use"})
    member.refresh_from_db()
    assert member.is_active and MisuseRecord.objects.filter(kind="staff_flag").count() == 1
    assert not AccessRecord.objects.filter(action="suspend").exists()


def test_lifting_a_suspension_is_audited(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    client.post(
        reverse("admin:accounts_user_flag", args=[member.pk]), {"reason": "x", "suspend": "on"}
    )
    assert client.post(reverse("admin:accounts_user_lift", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    assert member.is_active
    assert AccessRecord.objects.filter(action="lift", member=member).exists()


def test_a_flag_needs_a_reason(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    response = client.post(reverse("admin:accounts_user_flag", args=[member.pk]), {"reason": ""})
    assert response.status_code == 200
    assert not MisuseRecord.objects.filter(kind="staff_flag").exists()


def test_an_agent_cannot_flag(client, login_as, member):
    login_as(role=SUPPORT_AGENT)
    response = client.post(
        reverse("admin:accounts_user_flag", args=[member.pk]), {"reason": "x", "suspend": "on"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.is_active and not MisuseRecord.objects.exists()
