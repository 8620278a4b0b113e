"""Privacy staff announce, preview and withdraw versions and post notices in admin."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from privacy.models import Notice, PolicyVersion
from tests.privacy.factories import BODY_V2, announce

pytestmark = pytest.mark.policy("12")

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2026, 3, 1, 9, tzinfo=SEOUL)


@pytest.fixture
def admin_client(client, login_as, settings):
    settings.STAFF_REQUIRE_2FA = False  # the second factor has its own tests (tests/staff)
    login_as(superuser=True, username="officer")
    return client


def add(admin_client, effective):
    return admin_client.post(
        reverse("admin:privacy_policyversion_add"),
        {
            "label": "2.0",
            "title": "개인정보처리방침",
            "body": BODY_V2,
            "summary": "정리",
            "effective_at_0": effective,
            "effective_at_1": "00:00:00",
        },
    )


@pytest.mark.policy("12")
def test_admin_announces_with_the_same_rule_and_publishes_the_notice(admin_client, policy):
    with time_machine.travel(NOW, tick=False):
        refused = add(admin_client, "2026-03-08")
        assert refused.status_code == 200
        assert refused.context["adminform"].form.non_field_errors()
        assert not PolicyVersion.objects.filter(label="2.0").exists()
        accepted = add(admin_client, "2026-03-09")
    assert accepted.status_code == 302
    version = PolicyVersion.objects.get(label="2.0")
    assert version.announced_by.username == "officer"
    assert version.announced_at == NOW
    assert Notice.objects.filter(policy_version=version).exists()


def test_an_announced_version_is_read_only_with_preview_and_diff(admin_client, policy):
    version = announce("2.0", now=NOW, effective_at=datetime.datetime(2026, 3, 10, tzinfo=SEOUL))
    url = reverse("admin:privacy_policyversion_change", args=[version.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="body"' not in html
    assert "<h2" in html and 'class="diff"' in html
    admin_client.post(url, {"label": "9.9", "body": "x"})
    assert PolicyVersion.objects.get(pk=version.pk).label == "2.0"
    assert (
        admin_client.get(
            reverse("admin:privacy_policyversion_delete", args=[version.pk])
        ).status_code
        == 403
    )


def test_withdraw_action_in_admin(admin_client, policy):
    version = announce("2.0", now=NOW, effective_at=datetime.datetime(2026, 3, 10, tzinfo=SEOUL))
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        admin_client.post(
            reverse("admin:privacy_policyversion_changelist"),
            {"action": "withdraw", "_selected_action": [version.pk, policy.pk]},
        )
    version.refresh_from_db()
    policy.refresh_from_db()
    assert version.withdrawn_at is not None and policy.withdrawn_at is None


def test_staff_post_a_notice_with_preview(admin_client, policy):
    response = admin_client.post(
        reverse("admin:privacy_notice_add"),
        {
            "title": "점검 안내",
            "body": "**3월 5일** 점검",
            "published_at_0": "2026-03-01",
            "published_at_1": "09:00:00",
            "pinned": "on",
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get(title="점검 안내")
    html = admin_client.get(
        reverse("admin:privacy_notice_change", args=[notice.pk])
    ).content.decode()
    assert "<strong>3월 5일</strong>" in html
