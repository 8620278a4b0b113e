"""My data on a 390-pixel phone: tables scroll in their own focusable regions, never the page,
and the print view prints the content only (policy §7 열람)."""

from __future__ import annotations

import pytest

from accounts.models import VisitRecord
from support import services as support_services
from tests.conftest import PASSWORD
from tests.e2e.test_support_desk import log_in_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}

# axe-core's rule scrollable-region-focusable, in the browser: every element whose content
# scrolls must take the keyboard focus itself or hold something that does.
UNREACHABLE_SCROLLERS = """() => {
  const focusable = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  return [...document.querySelectorAll('body *')].filter((element) => {
    const style = getComputedStyle(element);
    const scrolling = (overflow) => ['auto', 'scroll'].includes(overflow);
    const sideways = scrolling(style.overflowX) && element.scrollWidth > element.clientWidth;
    const down = scrolling(style.overflowY) && element.scrollHeight > element.clientHeight;
    return (sideways || down) && element.tabIndex < 0 && !element.querySelector(focusable);
  }).map((element) => element.outerHTML.slice(0, 120));
}"""

PAGE_OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


def reauthenticate(page, base):
    page.goto(f"{base}/accounts/me/")
    page.wait_for_url("**/accounts/reauth/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")


@pytest.mark.policy("7")
def test_my_data_on_a_phone_scrolls_tables_in_focusable_regions_not_the_page(
    live_server, browser, member, tmp_path
):
    base = live_server.url
    # Rows wider than a phone: a long IPv6 address and a long inquiry title.
    VisitRecord.objects.create(
        member=member,
        ip="2001:db8:85a3:1234:5678:8a2e:370:7334",
        method="GET",
        path="/kb/a-rather-long-article-slug-about-batch-scheduling/",
        status=200,
    )
    support_services.open_inquiry(
        member=member,
        product=member.product,
        category="question",
        title="야간배치작업이중단되는문제에대한문의입니다" * 3,
        body="본문",
    )
    context = browser.new_context(locale="ko-KR", viewport=PHONE)
    page = context.new_page()
    log_in_member(page, base, member.username)
    reauthenticate(page, base)

    for path in (
        "/accounts/me/",
        "/accounts/me/print/",
        "/accounts/me/withdraw/",
        "/support/",
        "/downloads/",
        "/privacy/cookies/",
        "/privacy/history/",
    ):
        page.goto(f"{base}{path}")
        assert page.evaluate(PAGE_OVERFLOW) <= 0, path
        assert page.evaluate(UNREACHABLE_SCROLLERS) == [], path
        for region in page.locator("main .table-scroll").all():
            assert region.get_attribute("tabindex") == "0"
            assert region.get_attribute("role") == "region"
            assert page.locator(f"#{region.get_attribute('aria-labelledby')}").count() == 1
    page.goto(f"{base}/accounts/me/")
    page.screenshot(path=tmp_path / "my-data-390.png", full_page=True)

    # The visit table is wider than the phone: the keyboard scrolls it from its region.
    visits = page.locator("#visit-visitrecord .table-scroll")
    assert visits.evaluate("(region) => region.scrollWidth > region.clientWidth")
    visits.focus()
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the region to move rather than read it at once.
    page.wait_for_function(
        "() => document.querySelector('#visit-visitrecord .table-scroll').scrollLeft > 0"
    )

    # Withdrawal is the page's last section, with its own heading and sentence.
    assert page.locator("main section.withdrawal h2").inner_text() == "회원 탈퇴"
    context.close()


@pytest.mark.policy("7")
def test_the_print_view_prints_the_content_without_header_nav_or_footer(
    live_server, page, member, tmp_path
):
    base = live_server.url
    log_in_member(page, base, member.username)
    reauthenticate(page, base)
    page.goto(f"{base}/accounts/me/print/")
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", ".screen-only"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("main h1").inner_text() == "내 정보"
    assert page.locator("#print-visit_records table").is_visible()
    page.pdf(path=tmp_path / "my-data.pdf")
    assert (tmp_path / "my-data.pdf").stat().st_size > 10_000
