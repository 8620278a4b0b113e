"""Downloads in a real browser: a member finds their product's patch, downloads it, checks its
bytes against the SHA-256 shown, and finds the supply record under My data with its deletion
date five years on (policy §5)."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from retention.registry import category, due_date
from selfservice.models import Download, Release
from selfservice.services.releases import add_release_file
from tests.conftest import PASSWORD
from tests.e2e.test_support_desk import log_in_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PATCH = os.urandom(3 * 1024 * 1024 + 17)
NAME = "NEXCORE-Framework-3.2.1-patch.zip"


@pytest.mark.policy("5 나")
def test_a_member_downloads_a_patch_and_finds_the_supply_record_under_my_data(
    live_server, page, member, product, tmp_path
):
    base = live_server.url
    release = Release.objects.create(
        product=product,
        version="3.2.1",
        published=True,
        audience=Release.Audience.PRODUCT_USERS,
        notes="## 수정 사항\n\n- 야간 배치가 멈추지 않습니다.",
    )
    add_release_file(release=release, upload=ContentFile(PATCH, name=NAME))

    log_in_member(page, base, member.username)
    page.click("header a[href='/downloads/']")
    page.wait_for_url(f"{base}/downloads/")
    page.click("text=NEXCORE Framework 3.2.1")
    page.wait_for_url(f"{base}/downloads/{product.slug}/3.2.1/")
    assert "야간 배치가 멈추지 않습니다." in page.inner_text("main")
    shown_sha256 = page.inner_text("code.sha256")
    with page.expect_download() as download_info:
        page.click(f"text={NAME}")
    download = download_info.value
    assert download.suggested_filename == NAME
    saved = download.path().read_bytes()
    assert saved == PATCH
    assert hashlib.sha256(saved).hexdigest() == shown_sha256
    page.screenshot(path=tmp_path / "release.png", full_page=True)

    record = Download.objects.get()
    assert (record.member_id, record.file_name) == (member.pk, NAME)
    page.click("header a[href='/accounts/me/']")
    page.wait_for_url("**/accounts/reauth/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")
    row = page.locator("main tr", has_text=NAME).inner_text()
    due = due_date(category("payment"), record.time)
    assert due.year == timezone.localtime(record.time).year + 5
    assert f"{due:%Y-%m-%d}" in row and "3.2.1" in row
