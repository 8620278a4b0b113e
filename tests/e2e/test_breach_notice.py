"""A breach in real browsers: the officer records and notifies, the member reads and
acknowledges the notice at login, then goes on where they were going (PIPA §34)."""

from __future__ import annotations

import pytest

from incidents.models import AffectedMember, Incident
from staff.roles import PRIVACY_OFFICER
from tests.conftest import PASSWORD
from tests.e2e.test_support_desk import log_in_staff, staff_with_totp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.law("PIPA §34"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _officer_records_and_notifies(browser, base, device, member) -> None:
    context, officer = log_in_staff(browser, base, device)
    officer.goto(f"{base}/admin/incidents/incident/add/")
    officer.fill("#id_title", "Member list mailed to another customer")
    officer.fill("#id_discovered_at_0", "2026-03-10")
    officer.fill("#id_discovered_at_1", "09:00")
    officer.fill("#id_what_happened", "A handler mailed a list of members to the wrong company.")
    officer.fill("#id_items", "ID, company, project")
    officer.fill("#id_cause", "The recipient called the support center.")
    officer.fill(
        "#id_member_actions", "Change your password; beware of calls quoting your project."
    )
    officer.fill("#id_containment", "The recipient deleted the file and confirmed it in writing.")
    assert officer.input_value("#id_contact")
    officer.click("input[name=_continue]")
    officer.wait_for_url("**/change/")

    officer.check("input[name=scope][value=ids]")
    officer.fill("textarea[name=usernames]", member.username)
    officer.click("form[action$='/select/'] input[type=submit]")
    officer.wait_for_url("**/change/")
    officer.click("form[action$='/notify/'] input[type=submit]")
    officer.wait_for_url("**/change/")
    context.close()


@pytest.mark.law("시행령 §39")
def test_the_member_reads_and_acknowledges_the_notice_at_login(
    live_server, browser, page, member, make_member, make_staff, settings
):
    settings.STAFF_REQUIRE_2FA = True
    base = live_server.url
    _officer, device = staff_with_totp(make_staff, "officer01", PRIVACY_OFFICER)
    _officer_records_and_notifies(browser, base, device, member)
    incident = Incident.objects.get()
    assert incident.members_notified_at is not None and incident.public_notice.pinned

    page.goto(f"{base}/support/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", member.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url("**/breach-notices/?next=%2Fsupport%2F")
    notice = page.inner_text("main")
    assert "Member list mailed to another customer" in notice
    assert "The recipient deleted the file and confirmed it in writing." in notice
    page.click(f"form[action='/breach-notices/{incident.pk}/acknowledge/'] button[type=submit]")
    page.wait_for_url(f"{base}/support/")
    assert AffectedMember.objects.get(member=member).acknowledged_at is not None

    page.goto(f"{base}/notices/")
    assert incident.public_notice.title in page.inner_text("main")

    bystander = make_member(username="bystander1", ip="10.0.9.1")
    other = browser.new_context(locale="ko-KR").new_page()
    other.goto(f"{base}/accounts/login/?next=/support/")
    other.fill("input[name=username]", bystander.username)
    other.fill("input[name=password]", PASSWORD)
    other.click("form.stacked-form button[type=submit]")
    other.wait_for_url(f"{base}/support/")
    assert "Member list mailed" not in other.inner_text("main")
    other.context.close()
