"""The pytest plugin behind the proof report.

Always on (``tests/conftest.py`` loads it): every ``policy`` marker must name a section or clause
of the policy in force and every ``law`` marker an article in a known format, checked at
collection; a test whose marker names nothing fails with a message saying which marker. With
``--compliance-results PATH`` it also writes each test's markers, first docstring line and
outcome to PATH, the input of ``python -m tools.compliance``. What a test proves travels in its
report's ``user_properties``, so the results are the same whether pytest-xdist runs the tests in
workers or not.
"""

from __future__ import annotations

import datetime
import json
import platform
import subprocess
from collections import Counter
from pathlib import Path

import django
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tools.compliance import policy, report

PROPERTY = "compliance"
MARKER_ERRORS = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("compliance").addoption(
        "--compliance-results",
        metavar="PATH",
        help="write each test's policy/law markers, docstring and outcome to PATH (JSON) "
        "for the compliance report",
    )


def _first_line(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
    return next((line.strip() for line in doc.splitlines() if line.strip()), "")


def _proof(item: pytest.Item, known: set[str]) -> tuple[dict, list[str]]:
    errors = []

    def checked(check, value, *args):
        try:
            return [check(value, *args)]
        except ValueError as error:
            errors.append(str(error))
            return []

    proof = {
        "policy": sorted(
            {
                key
                for marker in item.iter_markers("policy")
                for value in marker.args
                for key in checked(policy.policy_key, value, known)
            }
        ),
        "law": sorted(
            {
                article
                for marker in item.iter_markers("law")
                for value in marker.args
                for article in checked(policy.law_article, value)
            }
        ),
        "infra": item.get_closest_marker("infra") is not None,
        "feature": item.get_closest_marker("feature") is not None,
        "doc": _first_line(item),
    }
    return proof, errors


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    known = policy.known_keys(policy.load())
    for item in items:
        proof, errors = _proof(item, known)
        item.user_properties.append((PROPERTY, proof))
        if errors:
            item.stash[MARKER_ERRORS] = errors


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Failing the test itself, rather than stopping the collection, names it in the summary
    # whether pytest-xdist runs it in a worker or not.
    if errors := item.stash.get(MARKER_ERRORS, None):
        pytest.fail("compliance marker: " + "; ".join(errors), pytrace=False)


class Results:
    """Each test's proof and outcome as the reports arrive (in the main process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tests: dict[str, dict] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        proof = dict(report.user_properties).get(PROPERTY)
        if proof is None:
            return
        test = self.tests.setdefault(report.nodeid, {**proof, "outcome": "passed"})
        if report.failed:
            test["outcome"] = "failed"
        elif report.skipped and test["outcome"] == "passed":
            test["outcome"] = "skipped"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        kinds = Counter(report.kind(test) for test in self.tests.values())
        terminalreporter.write_line(
            f"compliance: of {len(self.tests)} tests {kinds['proving']} prove a clause or an "
            f"article, {kinds['feature']} test features, {kinds['infra']} machinery, "
            f"{kinds[None]} are unmarked; results in {self.path}"
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        run = {
            "backend": _backend(),
            "commit": _commit(session.config.rootpath),
            "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "tests": self.tests,
        }
        self.path.write_text(
            json.dumps(run, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )


def _backend() -> str:
    try:
        return connection.vendor
    except ImproperlyConfigured:  # a suite that never set Django up has no backend
        return "none"


def _commit(root: Path) -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("compliance_results")
    # Only the main process writes: pytest-xdist's workers send it their reports.
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Results(Path(path)), "compliance-results")
