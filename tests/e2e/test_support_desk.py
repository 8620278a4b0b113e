"""The support desk in real browsers: a member asks with two files, an engineer answers in the
admin (with the second factor), the member sees the answer counted, replies, resolves, rates."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import AccessRecord
from staff.roles import SUPPORT_AGENT
from staff.selectors.landing import landing_page
from support.models import Inquiry
from tests.conftest import PASSWORD, STAFF_PASSWORD
from tests.support.conftest import PDF, PNG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in_member(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def staff_with_totp(make_staff, username, role):
    """A staff member of ``role`` with a confirmed TOTP device, for the second factor."""
    user = make_staff(username=username, role=role)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in_staff(browser, base, device, username=None):
    """A browser context of the device's owner logged in to the admin with the second factor."""
    context = browser.new_context(locale="ko-KR")
    staff = context.new_page()
    staff.goto(f"{base}/admin/login/")
    staff.fill("input[name=username]", username or device.user.username)
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.click("input[type=submit]")
    staff.wait_for_url("**/2fa/verify/**")
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    staff.fill("input[name=token]", f"{token:06d}")
    staff.click("#content form input[type=submit]")
    # Each role starts on the page it uses most (staff.roles.LANDING_PAGES).
    staff.wait_for_url(f"{base}{landing_page(device.user)}")
    return context, staff


@pytest.mark.policy("2 가", "9 다")
def test_a_member_asks_an_engineer_answers_and_the_member_resolves_and_rates(
    live_server, browser, page, member, make_member, make_staff, settings, tmp_path
):
    settings.STAFF_REQUIRE_2FA = True
    base = live_server.url
    agent, device = staff_with_totp(make_staff, "agent01", SUPPORT_AGENT)
    (tmp_path / "화면.png").write_bytes(PNG)
    (tmp_path / "log.pdf").write_bytes(PDF)

    log_in_member(page, base, member.username)
    page.goto(f"{base}/support/new/")
    page.select_option("select[name=category]", "defect")
    page.fill("input[name=title]", "야간 배치가 멈춥니다")
    page.fill("textarea[name=body]", "업그레이드 후 야간 배치가 멈춥니다.\n로그를 첨부합니다.")
    page.set_input_files("input[name=attachments]", [tmp_path / "화면.png", tmp_path / "log.pdf"])
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url("**/support/NX-*/")
    inquiry = Inquiry.objects.get(member=member)
    assert sorted(inquiry.attachments.values_list("name", flat=True)) == ["log.pdf", "화면.png"]
    assert "야간 배치가 멈춥니다" in page.inner_text("h1")

    context, staff = log_in_staff(browser, base, device)
    staff.goto(f"{base}/admin/support/inquiry/")
    staff.click(f"text={inquiry.number}")
    staff.fill("textarea[name=reply-body]", "3.2.1 패치를 적용해 주세요.")
    staff.click("form[action$='/reply/'] input[type=submit]")
    staff.wait_for_url(f"**/admin/support/inquiry/{inquiry.pk}/change/")
    with staff.expect_download() as download:
        staff.click("text=log.pdf")
    assert download.value.path().read_bytes() == PDF
    context.close()

    page.goto(f"{base}/")
    assert "답변 1건" in page.inner_text("header")
    page.click("header a[href='/support/']")
    page.click(f"text={inquiry.number}")
    assert "3.2.1 패치를 적용해 주세요." in page.inner_text(".thread")
    assert "답변" not in page.inner_text("header .account-nav a[href='/support/']")
    page.fill("textarea[name=reply-body]", "적용했더니 해결되었습니다. 감사합니다.")
    page.click("form:has(input[value=reply]) button[type=submit]")
    page.wait_for_load_state()
    page.click("form:has(input[value=resolve]) button[type=submit]")
    page.wait_for_load_state()
    page.check("input[name=rating-rating][value='5']")
    page.fill("textarea[name=rating-comment]", "빠르고 정확했습니다.")
    page.click("form:has(input[value=rate]) button[type=submit]")
    page.wait_for_load_state()
    assert "5점" in page.inner_text("main")

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.rating) == (Inquiry.Status.RESOLVED, 5)
    assert list(inquiry.messages.values_list("kind", flat=True)) == ["member", "answer", "member"]
    assert AccessRecord.objects.filter(staff=agent, member=member).exists()

    stranger = make_member(username="stranger1")
    other = browser.new_context(locale="ko-KR").new_page()
    log_in_member(other, base, stranger.username)
    item = inquiry.attachments.first()
    for url in (f"/support/{inquiry.number}/", f"/support/{inquiry.number}/files/{item.pk}/"):
        assert other.goto(f"{base}{url}").status == 404
