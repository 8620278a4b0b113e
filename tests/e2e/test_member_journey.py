"""A member's whole life in a real browser: sign up, see, correct, export, withdraw."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.policy("7")
def test_signup_my_data_edit_export_withdraw_then_login_refused(live_server, page, tmp_path):
    base = live_server.url

    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=username]", "Browser.Member")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=company]", "브라우저 주식회사")
    page.fill("input[name=project]", "차세대 시스템")
    page.select_option("select[name=product]", "nexcore-framework")
    page.check("input[name=agree_policy]")
    page.check("input[name=adult]")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "browser.member" in page.inner_text("header")
    page.screenshot(path=tmp_path / "01-signed-up.png", full_page=True)

    page.click("header a[href='/accounts/me/']")
    page.wait_for_url("**/accounts/reauth/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    assert "브라우저 주식회사" in page.inner_text("main")
    page.screenshot(path=tmp_path / "02-my-data.png", full_page=True)

    page.click("main a[href='/accounts/me/edit/']")
    page.fill("input[name=company]", "새 회사")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    assert "새 회사" in page.inner_text("main")

    with page.expect_download() as download_info:
        page.click("main a[href='/accounts/me/export/']")
    exported = json.loads((download_info.value.path()).read_text(encoding="utf-8"))
    assert exported["profile"]["username"] == "browser.member"
    assert exported["profile"]["company"] == "새 회사"

    page.click("main a[href='/accounts/me/withdraw/']")
    page.fill("input[name=password]", PASSWORD)
    page.check("input[name=confirm]")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/withdrawn/")
    page.screenshot(path=tmp_path / "03-withdrawn.png", full_page=True)
    assert not User.objects.get(username="browser.member").is_active

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "browser.member")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.startswith(f"{base}/accounts/login/")
    assert page.locator(".form-errors").is_visible()
    page.screenshot(path=tmp_path / "04-login-refused.png", full_page=True)
    declared = {cookie["name"] for cookie in settings.COOKIE_DECLARATION}
    assert {cookie["name"] for cookie in page.context.cookies()} <= declared
    for name in ("01-signed-up", "02-my-data", "03-withdrawn", "04-login-refused"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
