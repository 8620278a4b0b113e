"""A forgotten password in real browsers: staff verify the caller, the member uses the code."""

from __future__ import annotations

import pytest

from accounts.models import IdentityVerification, PasswordResetCode
from staff.models import AccessRecord
from staff.roles import SUPPORT_AGENT
from tests.conftest import PASSWORD
from tests.e2e.test_support_desk import log_in_staff, staff_with_totp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "copper-meadow-8812"


def _submit(page):
    page.click("form.stacked-form button[type=submit]")


@pytest.mark.policy("7", "9")
def test_support_agent_issues_a_code_and_the_member_sets_a_new_password(
    live_server, browser, page, member, make_staff, settings
):
    settings.STAFF_REQUIRE_2FA = True
    base = live_server.url
    agent, device = staff_with_totp(make_staff, "agent01", SUPPORT_AGENT)

    staff_context, staff = log_in_staff(browser, base, device)
    staff.goto(f"{base}/admin/accounts/user/{member.pk}/change/")
    staff.click(f"a[href='/admin/accounts/user/{member.pk}/reset-code/']")
    staff.fill("input[name=company]", "Acme Corp")
    staff.fill("input[name=project]", "Apollo")
    staff.select_option("select[name=product]", "nexcore-framework")
    staff.select_option("select[name=channel]", "phone")
    staff.click("#content form input[type=submit]")
    code = staff.inner_text(".reset-code").strip()
    assert len(code) == 11 and code[5] == "-"
    staff_context.close()

    page.goto(f"{base}/accounts/login/")
    page.click("main a[href='/accounts/recover/']")
    page.click("main a[href='/accounts/recover/code/']")
    page.fill("input[name=username]", "member01")
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    _submit(page)
    page.wait_for_url(f"{base}/accounts/login/")

    page.fill("input[name=username]", "member01")
    page.fill("input[name=password]", NEW_PASSWORD)
    _submit(page)
    page.wait_for_url(f"{base}/")
    assert "member01" in page.inner_text("header")

    page.goto(f"{base}/accounts/recover/code/")
    page.fill("input[name=username]", "member01")
    page.fill("input[name=code]", code)
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    _submit(page)
    page.wait_for_load_state()
    assert page.locator(".field.has-error input[name=code]").is_visible()
    assert page.url == f"{base}/accounts/recover/code/"

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert PasswordResetCode.objects.get(member=member).used_at is not None
    assert IdentityVerification.objects.filter(
        member=member, kind=IdentityVerification.Kind.STAFF_ASSISTED, verified_by=agent
    ).exists()
    assert set(
        AccessRecord.objects.filter(staff=agent, member=member).values_list("action", flat=True)
    ) >= {AccessRecord.Action.VIEW, AccessRecord.Action.VERIFY, AccessRecord.Action.RESET_CODE}
