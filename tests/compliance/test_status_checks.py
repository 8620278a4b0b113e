"""The officer's live checks: each red condition made through the services, at a chosen time."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django_otp.oath import totp

from accounts.models import VisitRecord
from compliance.checks import AMBER, GREEN, RED
from compliance.selectors.status import compliance_checks
from privacy.models import PrivacyRequest
from privacy.services import record_request
from retention.registry import CATEGORIES, due_date
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.services import audit, two_factor
from staff.services.review import sign_off_review

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=SEOUL)


def states(now: datetime.datetime = NOW) -> dict[str, str]:
    with time_machine.travel(now, tick=False):
        return {check.key: check.state for check in compliance_checks()}


def purge(at: datetime.datetime) -> None:
    with time_machine.travel(at, tick=False):
        call_command("purge_expired", stdout=_Discard())


class _Discard:
    def write(self, text):
        pass

    def flush(self):
        pass


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    # The purge's lock file and the proof report live in each test's own folder.
    settings.VAR_DIR = tmp_path
    settings.COMPLIANCE_REPORT_DIR = tmp_path / "compliance"
    settings.STAFF_REQUIRE_2FA = True


def with_second_factor(user):
    device = two_factor.device_to_enrol(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert two_factor.confirm_device(device=device, token=f"{code:06d}")
    return user


@pytest.fixture
def officer(make_staff):
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        return with_second_factor(make_staff(username="officer01", role=PRIVACY_OFFICER))


@pytest.fixture
def well_kept(officer):
    """A database kept as the officer should: the purge ran two hours ago, nothing pending."""
    purge(NOW - datetime.timedelta(hours=2))
    return officer


@pytest.mark.policy("5")
def test_a_well_kept_database_is_all_green(well_kept):
    assert set(states().values()) == {GREEN}


@pytest.mark.policy("6")
def test_a_purge_missed_for_more_than_26_hours_is_red(well_kept):
    assert states(NOW + datetime.timedelta(hours=23))["retention.purge"] == GREEN
    assert states(NOW + datetime.timedelta(hours=25))["retention.purge"] == RED


@pytest.mark.policy("6")
def test_a_purge_that_never_ran_is_red(officer):
    assert states()["retention.purge"] == RED


@pytest.mark.policy("6")
def test_a_failed_purge_is_red_although_an_earlier_one_succeeded(well_kept, monkeypatch):
    from retention.services import purge as purge_service

    def fail():
        raise DatabaseError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(purge_service.selectors, "active_holds", fail)
        with pytest.raises(CommandError):
            purge(NOW - datetime.timedelta(hours=1))
    assert states()["retention.purge"] == RED


@pytest.mark.policy("5")
def test_a_row_kept_a_day_past_its_period_is_red_and_amber_before(well_kept, make_member):
    made = NOW - datetime.timedelta(days=200)
    with time_machine.travel(made, tick=False):
        member = make_member()
        VisitRecord.objects.create(member=member, ip="10.0.0.1", method="GET", path="/", status=200)
    visit = next(entry for entry in CATEGORIES if entry.key == "visit")
    due = due_date(visit, made)
    assert states(due - datetime.timedelta(minutes=1))["retention.visit"] == GREEN
    assert states(due + datetime.timedelta(hours=12))["retention.visit"] == AMBER
    assert states(due + datetime.timedelta(days=1))["retention.visit"] == RED


@pytest.mark.policy("7")
def test_an_overdue_request_is_red_and_one_due_soon_amber(well_kept, member):
    request = record_request(
        member=member,
        kind=PrivacyRequest.Kind.ACCESS,
        channel=PrivacyRequest.Channel.LETTER,
        received_at=NOW - datetime.timedelta(days=8),
    )
    soon = states()
    assert soon["rights.open"] == GREEN and soon["rights.due_soon"] == AMBER
    assert soon["rights.overdue"] == GREEN
    late = states(request.due_at + datetime.timedelta(minutes=1))
    assert late["rights.overdue"] == RED and late["rights.due_soon"] == GREEN


@pytest.mark.law("고시 제8조")
def test_an_unsigned_review_month_is_red_once_a_later_month_is_over(well_kept, member):
    handler = well_kept.__class__.objects.create_user(
        username="handler01", password="granite-ledger-4471!", is_staff=True
    )
    january = datetime.datetime(2027, 1, 10, 11, 0, tzinfo=SEOUL)
    audit.record_access(
        staff=handler, ip=None, action=AccessRecord.Action.VIEW, members=[member], now=january
    )
    assert states()["staff.review"] == RED  # January and February unsigned, in March
    sign_off_review(month=january.date(), officer=well_kept, now=NOW)
    assert states()["staff.review"] == AMBER  # February: last month, still being reviewed
    sign_off_review(month=datetime.date(2027, 2, 1), officer=well_kept, now=NOW)
    assert states()["staff.review"] == GREEN


@pytest.mark.law("고시 제6조")
def test_staff_without_a_second_factor_are_red_when_it_is_required(well_kept, make_staff, settings):
    with time_machine.travel(NOW, tick=False):
        make_staff(username="handler01", role=PRIVACY_HANDLER)
        second_factor = next(c for c in compliance_checks() if c.key == "staff.second_factor")
    assert second_factor.state == RED and second_factor.detail == "handler01"
    settings.STAFF_REQUIRE_2FA = False
    assert states()["staff.second_factor"] == AMBER


@pytest.mark.law("고시 제5조")
def test_old_passwords_and_idle_staff_need_attention(well_kept):
    later = NOW + datetime.timedelta(days=91)
    assert states(later)["staff.passwords"] == AMBER
    assert states(later)["staff.idle"] == AMBER


@pytest.mark.policy("12")
def test_an_announced_version_and_members_to_agree_again_are_amber(well_kept, member):
    from tests.privacy.factories import announce

    announce(
        "2.0",
        effective_at=NOW + datetime.timedelta(days=31),
        now=NOW,
        material=True,
        requires_consent=True,
    )
    assert states()["policy.announced"] == AMBER
    after = states(NOW + datetime.timedelta(days=32))
    assert after["policy.announced"] == GREEN and after["policy.reconsent"] == AMBER
