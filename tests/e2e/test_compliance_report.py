"""The proof report as the officer opens it: Chromium renders the file, Korean clause texts and
green, red and grey statuses; a screenshot goes to var/artifacts/ for the CI's artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.compliance.__main__ import main

pytestmark = [pytest.mark.policy("9 라"), pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"


def test_the_report_opens_in_chromium_with_its_statuses_in_colour(page, tmp_path):
    proven = {
        "policy": ["9 가"],
        "law": [],
        "infra": False,
        "doc": "비밀번호는 Argon2로 저장됩니다.",
    }
    results = tmp_path / "results-sqlite.json"
    results.write_text(
        json.dumps(
            {
                "backend": "sqlite",
                "commit": "abc123",
                "date": "2026-11-29",
                "python": "3.11.7",
                "django": "5.2.19",
                "tests": {"tests/test_x.py::test_hash": {**proven, "outcome": "passed"}},
            }
        ),
        encoding="utf-8",
    )
    main([str(results), "--out", str(tmp_path)])

    page.goto((tmp_path / "report.html").as_uri())

    proven_clause = page.locator("#s9-가")
    assert "암호화되어 저장 및 관리되고" in proven_clause.inner_text()
    assert "비밀번호는 Argon2로 저장됩니다." in proven_clause.inner_text()
    colour = "el => getComputedStyle(el).backgroundColor"
    assert proven_clause.locator(".status").evaluate(colour) == "rgb(26, 127, 55)"
    assert page.locator("#s1-가 .status").evaluate(colour) == "rgb(198, 40, 40)"
    assert page.locator("#s4 .status").inner_text() == "해당 없음 (not applicable)"
    assert page.locator("#s4 .status").evaluate(colour) == "rgb(107, 107, 107)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compliance-report.png"), full_page=True)
