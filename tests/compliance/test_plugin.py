"""The compliance plugin on a small fake suite: what it records, and what stops a run."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.policy("9 라")

INI = """
[pytest]
markers =
    policy(*clauses): a clause
    law(article): an article
    infra: machinery
    feature: a feature
"""

FAKE_SUITE = '''
import pytest

pytestmark = pytest.mark.policy("12")


@pytest.mark.policy("9가")
def test_marked_by_clause():
    """The password is hashed.

    More detail that the report leaves out.
    """


@pytest.mark.law("고시 제8조")
def test_failing():
    assert False


@pytest.mark.policy("1 나")
def test_skipped():
    pytest.skip("not here")


@pytest.mark.infra
def test_machinery():
    pass
'''

SERVICE_SUITE = """
import pytest

pytestmark = pytest.mark.feature


def test_search():
    pass


@pytest.mark.infra
def test_query_count():
    pass
"""


def run(pytester, *args):
    pytester.makefile(".ini", pytest=INI)
    return pytester.runpytest_inprocess(
        "-p", "tools.compliance.plugin", "-p", "no:django", "-p", "no:cacheprovider", *args
    )


def test_each_tests_clauses_first_docstring_line_and_outcome_are_recorded(pytester):
    pytester.makepyfile(test_fake=FAKE_SUITE)
    pytester.makepyfile(test_unmarked="def test_unmarked():\n    pass\n")
    pytester.makepyfile(test_service=SERVICE_SUITE)
    results = pytester.path / "results.json"

    outcome = run(pytester, "--compliance-results", str(results))

    outcome.assert_outcomes(passed=5, failed=1, skipped=1)
    tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    assert tests["test_fake.py::test_marked_by_clause"] == {
        "policy": ["12", "9 가"],
        "law": [],
        "infra": False,
        "feature": False,
        "doc": "The password is hashed.",
        "outcome": "passed",
    }
    assert tests["test_fake.py::test_failing"]["law"] == ["고시 제8조"]
    assert tests["test_fake.py::test_failing"]["outcome"] == "failed"
    assert tests["test_fake.py::test_skipped"]["outcome"] == "skipped"
    assert tests["test_fake.py::test_machinery"]["infra"] is True
    assert tests["test_service.py::test_search"]["feature"] is True
    assert tests["test_service.py::test_query_count"]["infra"] is True
    assert tests["test_unmarked.py::test_unmarked"] == {
        "policy": [],
        "law": [],
        "infra": False,
        "feature": False,
        "doc": "",
        "outcome": "passed",
    }
    outcome.stdout.fnmatch_lines(
        [
            "compliance: of 7 tests 4 prove a clause or an article, 1 test features, "
            "1 machinery, 1 are unmarked; results in *"
        ]
    )


def test_without_the_option_nothing_is_written(pytester):
    pytester.makepyfile(test_fake=FAKE_SUITE)

    run(pytester).assert_outcomes(passed=2, failed=1, skipped=1)

    assert not list(pytester.path.glob("*.json"))


@pytest.mark.parametrize(
    ("marker", "says"),
    [
        ('policy("13")', "policy('13') names no section or clause"),
        ('policy("9 마")', "policy('9 마') names no section or clause"),
        ('policy("4 가")', "policy('4 가') names no section or clause"),
        ('law("PIPA 34")', "law('PIPA 34') is not an article"),
    ],
)
def test_a_marker_naming_nothing_in_force_fails_its_test_saying_which(pytester, marker, says):
    pytester.makepyfile(
        test_fake=f"import pytest\n\n\n@pytest.mark.{marker}\ndef test_wrong():\n    pass\n"
    )

    outcome = run(pytester, "-ra")

    outcome.assert_outcomes(errors=1)
    assert outcome.ret == pytest.ExitCode.TESTS_FAILED
    outcome.stdout.fnmatch_lines(["*ERROR at setup of test_wrong*", f"compliance marker: {says}*"])
