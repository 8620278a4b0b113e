"""Support contracts in real browsers: a member is refused a patch for covered projects; a
contract manager (with the second factor) creates a contract and links the member among the
likely matches; the member then sees the coverage and downloads the patch."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from selfservice.models import Contract, ContractChange, Coverage, Download, Release, Tier
from selfservice.services.releases import add_release_file
from staff.roles import CONTRACT_MANAGER
from tests.e2e.test_support_desk import log_in_member, log_in_staff

PATCH = b"PK\x03\x04" + bytes(range(256)) * 64

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.policy("5 나", "9 다")
def test_a_contract_manager_links_a_member_who_then_sees_the_coverage_and_downloads(
    live_server, browser, page, member, make_member, make_staff, product, settings
):
    settings.STAFF_REQUIRE_2FA = True
    base = live_server.url
    manager = make_staff(username="manager01", role=CONTRACT_MANAGER)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    premium = Tier.objects.create(
        name="Premium", hours_defect=1, hours_complaint=2, hours_question=3, hours_request=4
    )
    make_member(username="stranger9", company="Unrelated Ltd", project="Nothing")
    release = Release.objects.create(
        product=product, version="3.3.0", published=True, audience=Release.Audience.COVERED
    )
    add_release_file(release=release, upload=ContentFile(PATCH, name="hotfix-3.3.0.zip"))
    ends_on = timezone.localdate() + datetime.timedelta(days=120)

    log_in_member(page, base, member.username)
    response = page.goto(f"{base}/downloads/{product.slug}/3.3.0/")
    assert response.status == 403
    assert "hotfix-3.3.0.zip" not in page.inner_text("main")

    context, staff = log_in_staff(browser, base, device, username="manager01")
    staff.goto(f"{base}/admin/selfservice/contract/add/")
    staff.fill("input[name=number]", "NXC-2026-100")
    staff.fill("input[name=company]", member.company)
    staff.fill("input[name=project]", member.project)
    staff.select_option("select[name=products]", str(product.pk))
    staff.select_option("select[name=tier]", str(premium.pk))
    staff.fill("input[name=starts_on]", "2026-01-01")
    staff.fill("input[name=ends_on]", ends_on.isoformat())
    staff.click("input[name=_continue]")
    contract = Contract.objects.get(number="NXC-2026-100")
    staff.wait_for_url(f"**/admin/selfservice/contract/{contract.pk}/change/")
    staff.click("text=보장 회원")
    staff.wait_for_url("**/members/")
    assert "stranger9" not in staff.inner_text("#content")
    staff.click(f"tr:has-text('{member.username}') button")
    staff.wait_for_url("**/members/")
    assert Coverage.objects.filter(contract=contract, member=member).exists()
    assert ContractChange.objects.filter(contract=contract).count() == 2
    context.close()

    page.goto(f"{base}/support/")
    coverage = page.inner_text("section.coverage")
    assert "NXC-2026-100" in coverage and "Premium" in coverage
    assert ends_on.isoformat() in coverage
    page.goto(f"{base}/downloads/{product.slug}/3.3.0/")
    with page.expect_download() as download:
        page.click("text=hotfix-3.3.0.zip")
    assert download.value.path().read_bytes() == PATCH
    assert Download.objects.filter(member=member, file_name="hotfix-3.3.0.zip").count() == 1
