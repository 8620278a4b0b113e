"""A lockout in real browsers: a member locks their ID out, a privacy handler, landing on the
member list after the second factor, sees until when and ends it; the member logs in."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER
from tests.conftest import PASSWORD
from tests.e2e.test_support_desk import log_in_staff, staff_with_totp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, base, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "member01")
    page.fill("input[name=password]", password)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.law("고시 제5조")
def test_a_handler_ends_a_lockout_and_the_member_logs_in(
    live_server, browser, page, member, make_staff, settings
):
    settings.STAFF_REQUIRE_2FA = True
    base = live_server.url
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _log_in(page, base, "wrong-password")
    _log_in(page, base, PASSWORD)
    assert page.url == f"{base}/accounts/login/" and "다시 시도" in page.content()

    handler, device = staff_with_totp(make_staff, "handler01", PRIVACY_HANDLER)
    context, staff = log_in_staff(browser, base, device)
    assert staff.url == f"{base}/admin/accounts/user/"
    row = staff.locator("#result_list tr", has_text="member01")
    assert "까지 로그인 잠김" in row.locator("td.field-status").inner_text()
    row.locator("th a").click()
    staff.click("text=잠금 해제")
    staff.wait_for_url(f"**/admin/accounts/user/{member.pk}/change/")
    assert "이제 이 회원은 다시 로그인할 수 있습니다." in staff.inner_text(".messagelist")
    assert "이용 중" in staff.inner_text(".field-status")
    context.close()

    _log_in(page, base, PASSWORD)
    assert page.url == f"{base}/"
    assert AccessRecord.objects.filter(staff=handler, member=member, action="unlock").exists()
