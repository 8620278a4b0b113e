"""The monthly access review as the officer files it: a month picker that starts at the month
shown, the review as a CSV file (asked for a reason first, like every download: 고시 제8조), and a
print view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from tests.staff.downloads import REASON

pytestmark = pytest.mark.law("고시 제8조")

REVIEW = reverse("access_review")
FILE = reverse("access_review_csv")
PRINT = reverse("access_review_print")


@pytest.fixture
def officer_client(client, make_staff):
    client.force_login(make_staff(username="officer01", role=PRIVACY_OFFICER))
    return client


def test_the_month_picker_starts_at_the_month_reviewed(officer_client, read_in_april):
    html = officer_client.get(REVIEW).content.decode()
    assert 'type="month"' in html and 'value="2026-03"' in html
    html = officer_client.get(REVIEW, {"month": "2026-01"}).content.decode()
    assert 'value="2026-01"' in html


def test_the_file_asks_for_a_reason_first(officer_client, read_in_april, downloads):
    before = AccessRecord.objects.count()
    page = officer_client.get(FILE, {"month": "2026-03"})
    assert page.status_code == 200 and "attachment" not in page.get("Content-Disposition", "")
    short = officer_client.post(FILE, {"month": "2026-03", "reason": "audit", "post": "yes"})
    assert "attachment" not in short.get("Content-Disposition", "")
    assert short.context["form"].has_error("reason")
    assert AccessRecord.objects.count() == before


def test_the_file_holds_the_review_and_its_download_is_recorded(
    officer_client, read_in_april, downloads
):
    response = officer_client.post(FILE, {"month": "2026-03", "reason": REASON, "post": "yes"})
    assert response["Content-Disposition"] == 'attachment; filename="access-review-2026-03.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = text.lstrip("\ufeff").splitlines()
    assert header.split(",")[:3] == ["유형", "직원", "일시"]
    kinds = {row.split(",")[0] for row in rows}
    assert {"count", "download"} <= kinds
    assert any("같은 사유 반복" in row for row in rows)
    record = AccessRecord.objects.latest("id")
    assert record.action == AccessRecord.Action.EXPORT and record.target == "access_review"
    assert record.reason == REASON and record.member_id is None
    assert record.detail.startswith("2026-03 csv rows=")


def test_a_handler_gets_neither_file_nor_print(client, make_staff, read_in_april):
    client.force_login(make_staff(username="handler01", role=PRIVACY_HANDLER))
    assert client.get(FILE).status_code == 403
    assert client.get(PRINT).status_code == 403


def test_the_print_view_shows_the_review_without_forms(officer_client, read_in_april, downloads):
    html = officer_client.get(PRINT, {"month": "2026-03"}).content.decode()
    assert "print-view" in html and 'id="downloads"' in html
    assert "Letter from member00 of 2 March" in html
    assert 'name="remarks"' not in html and 'type="month"' not in html
