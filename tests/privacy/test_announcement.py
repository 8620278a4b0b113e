"""Policy §12: every change announced at least 7 days (30 when material) before it takes effect."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from privacy.exceptions import (
    CannotWithdraw,
    EffectiveBeforeAnnouncedVersion,
    LabelTaken,
    NoticePeriodTooShort,
    PolicyVersionImmutable,
)
from privacy.models import Notice, PolicyVersion
from privacy.selectors import policy_in_force, upcoming_versions
from privacy.services import earliest_effective_at, withdraw_policy_version
from tests.privacy.factories import announce

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.policy("12")


def seoul(*args):
    return datetime.datetime(*args, tzinfo=SEOUL)


def test_six_days_and_23_59_of_notice_is_refused(policy):
    with pytest.raises(NoticePeriodTooShort):
        announce("2.0", now=seoul(2026, 3, 1, 0, 1), effective_at=seoul(2026, 3, 8))
    assert not PolicyVersion.objects.filter(label="2.0").exists()


def test_exactly_seven_days_from_midnight_is_accepted(policy):
    version = announce("2.0", now=seoul(2026, 3, 1, 0, 0), effective_at=seoul(2026, 3, 8))
    assert version.announced_at == seoul(2026, 3, 1)


def test_a_day_started_after_midnight_does_not_count(policy):
    assert earliest_effective_at(announced_at=seoul(2026, 3, 1, 23, 59), material=False) == seoul(
        2026, 3, 9
    )
    assert earliest_effective_at(announced_at=seoul(2026, 3, 1, 0, 0), material=False) == seoul(
        2026, 3, 8
    )


def test_the_rule_counts_days_in_seoul_not_utc(policy):
    # 2026-02-28 15:30 UTC is 1 March 00:30 in Seoul: 1 March is not a full day of notice.
    utc = datetime.datetime(2026, 2, 28, 15, 30, tzinfo=datetime.UTC)
    assert earliest_effective_at(announced_at=utc, material=False) == seoul(2026, 3, 9)


def test_material_change_needs_thirty_days(policy):
    with pytest.raises(NoticePeriodTooShort) as refused:
        announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 30), material=True)
    assert refused.value.days == 30
    assert announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 31), material=True)


def test_notice_days_come_from_the_settings(policy, settings):
    settings.POLICY_NOTICE_DAYS = 14
    with pytest.raises(NoticePeriodTooShort):
        announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 14))


def test_announcement_publishes_its_notice_in_the_same_transaction(policy):
    version = announce(
        "2.0", now=seoul(2026, 3, 1, 9), effective_at=seoul(2026, 3, 10), summary="보존기간 정리"
    )
    notice = Notice.objects.get(policy_version=version)
    assert notice.published_at == seoul(2026, 3, 1, 9)
    assert "2026-03-10 00:00" in notice.body
    assert "/privacy/v/1.0/diff/2.0/" in notice.body
    assert "보존기간 정리" in notice.body


def test_refused_announcement_leaves_no_notice(policy):
    notices = Notice.objects.count()
    with pytest.raises(NoticePeriodTooShort):
        announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 2))
    assert Notice.objects.count() == notices


def test_a_label_is_used_once(policy):
    with pytest.raises(LabelTaken):
        announce("1.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))


def test_version_in_force_switches_exactly_at_its_effective_time(policy):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    assert policy_in_force(now=seoul(2026, 3, 9, 23, 59, 59)) == policy
    assert policy_in_force(now=seoul(2026, 3, 10)) == version
    assert list(upcoming_versions(now=seoul(2026, 3, 9, 23, 59, 59))) == [version]
    assert not upcoming_versions(now=seoul(2026, 3, 10)).exists()


def test_overlapping_announcements_take_effect_in_order(policy):
    second = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))
    third = announce("3.0", now=seoul(2026, 3, 2), effective_at=seoul(2026, 4, 15))
    assert policy_in_force(now=seoul(2026, 4, 2)) == second
    assert policy_in_force(now=seoul(2026, 4, 15)) == third


def test_a_version_may_not_take_effect_before_one_already_announced(policy):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))
    with pytest.raises(EffectiveBeforeAnnouncedVersion):
        announce("3.0", now=seoul(2026, 3, 2), effective_at=seoul(2026, 3, 25))
    with pytest.raises(EffectiveBeforeAnnouncedVersion):
        announce("3.0", now=seoul(2026, 3, 2), effective_at=seoul(2026, 4, 1))


def test_an_announced_version_cannot_change(policy):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))
    for field, value in [
        ("body", "고친 본문"),
        ("label", "2.1"),
        ("effective_at", seoul(2026, 5, 1)),
    ]:
        fresh = PolicyVersion.objects.get(pk=version.pk)
        setattr(fresh, field, value)
        with pytest.raises(PolicyVersionImmutable):
            fresh.save()
    assert PolicyVersion.objects.get(pk=version.pk).body == version.body
    with pytest.raises(PolicyVersionImmutable):
        policy.delete()


def test_withdrawing_a_version_not_yet_in_force_publishes_a_notice(policy):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))
    withdraw_policy_version(version=version, now=seoul(2026, 3, 20))
    version.refresh_from_db()
    assert version.withdrawn_at == seoul(2026, 3, 20)
    assert policy_in_force(now=seoul(2026, 4, 2)) == policy
    assert Notice.objects.filter(policy_version=version).count() == 2
    assert announce("3.0", now=seoul(2026, 3, 21), effective_at=seoul(2026, 3, 30))


def test_a_version_in_force_cannot_be_withdrawn(policy):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 4, 1))
    with pytest.raises(CannotWithdraw):
        withdraw_policy_version(version=version, now=seoul(2026, 4, 1))
    with pytest.raises(CannotWithdraw):
        withdraw_policy_version(version=policy, now=seoul(2026, 3, 1))


def test_announcing_uses_the_real_clock_by_default(policy):
    with time_machine.travel(seoul(2026, 6, 1, 10), tick=False):
        from privacy.models import PolicyVersion as Model
        from privacy.services import announce_policy_version

        version = announce_policy_version(
            version=Model(label="2.0", title="T", body="# T", effective_at=seoul(2026, 6, 9))
        )
    assert version.announced_at == seoul(2026, 6, 1, 10)
