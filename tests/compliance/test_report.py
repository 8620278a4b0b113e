"""The proof report built from runs' results: clause by clause, stable, and what fails it."""

from __future__ import annotations

import json
import random

import pytest

from privacy.clauses import IMPLEMENTED_BY, LAW_ARTICLES
from tools.compliance import policy, report
from tools.compliance.__main__ import main

pytestmark = pytest.mark.policy("9 라")

SECTIONS = policy.load()
UNITS = [unit for section in SECTIONS for unit in section.units]
APPLICABLE = [unit for section in SECTIONS if not section.not_applicable for unit in section.units]


def test_the_policy_in_force_reads_as_twelve_sections_with_their_clauses():
    by_key = {section.key: section for section in SECTIONS}

    assert list(by_key) == [str(number) for number in range(1, 13)]
    assert [clause.key for clause in by_key["9"].clauses] == ["9 가", "9 나", "9 다", "9 라"]
    assert by_key["9"].clauses[0].title == "비밀번호 암호화"
    assert "암호화되어 저장" in by_key["9"].clauses[0].text
    assert by_key["7"].units == ("7",)
    assert "14세 미만" in by_key["7"].text


def test_sections_four_and_eleven_are_not_applicable_and_no_other():
    assert [section.key for section in SECTIONS if section.not_applicable] == ["4", "11"]


@pytest.mark.parametrize(
    ("written", "key"), [("9", "9"), ("9 가", "9 가"), ("9가", "9 가"), ("§9 가", "9 가")]
)
def test_a_marker_names_a_section_or_a_clause_with_or_without_a_space(written, key):
    assert policy.policy_key(written, policy.known_keys(SECTIONS)) == key


def run(backend: str, tests: dict, date: str = "2026-11-29") -> dict:
    return {
        "backend": backend,
        "commit": "abc123",
        "date": date,
        "python": "3.11.7",
        "django": "5.2.19",
        "tests": tests,
    }


def proving(key: str, outcome: str = "passed", **extra) -> dict:
    return {"policy": [key], "law": [], "infra": False, "doc": f"proves {key}", "outcome": outcome}


def everything_proven(outcome: str = "passed") -> dict:
    return {
        f"tests/test_x.py::test_{number}": proving(unit, outcome)
        for number, unit in enumerate(APPLICABLE)
    }


def build(*runs: dict) -> dict:
    return report.build(runs=list(runs), sections=SECTIONS, code=IMPLEMENTED_BY, laws=LAW_ARTICLES)


def unit(built: dict, key: str) -> dict:
    return next(entry for entry in report.units(built) if entry["key"] == key)


def test_the_same_results_give_the_same_json_whatever_their_order():
    tests = everything_proven() | {
        "tests/test_y.py::test_law": {
            "policy": [],
            "law": ["고시 제8조"],
            "infra": False,
            "doc": "",
            "outcome": "passed",
        }
    }
    shuffled = list(tests.items())
    random.Random(7).shuffle(shuffled)

    first = report.render_json(build(run("sqlite", tests), run("postgresql", tests)))
    second = report.render_json(
        build(run("postgresql", dict(shuffled)), run("sqlite", dict(shuffled)))
    )

    assert first == second
    assert json.loads(first)["backends"] == ["postgresql", "sqlite"]


def test_a_clause_with_no_test_is_unproven_and_fails_the_report():
    tests = everything_proven()
    tests = {node: test for node, test in tests.items() if test["policy"] != ["9 라"]}

    built = build(run("sqlite", tests))

    assert unit(built, "9 라")["status"] == report.UNPROVEN
    assert unit(built, "9 라")["tests"] == []
    assert report.problems(built) == ["§9 라 개인정보보호전담기구의 운영: unproven"]


def test_a_failed_proving_test_on_either_database_fails_its_clause():
    tests = everything_proven()
    failing = {**tests, "tests/test_x.py::test_0": proving("1 가", "failed")}

    built = build(run("sqlite", tests), run("postgresql", failing))

    assert unit(built, "1 가")["status"] == report.FAILED
    assert unit(built, "1 가")["tests"][0]["outcomes"] == {
        "postgresql": "failed",
        "sqlite": "passed",
    }
    assert report.problems(built) == ["§1 가 수집하는 개인정보의 항목: failed"]


def test_a_clause_whose_only_tests_were_skipped_is_unproven():
    tests = everything_proven() | {"tests/test_x.py::test_0": proving("1 가", "skipped")}

    assert unit(build(run("sqlite", tests)), "1 가")["status"] == report.UNPROVEN


def test_not_applicable_sections_say_so_and_a_section_marker_does_not_prove_a_clause():
    tests = everything_proven()
    tests = {node: test for node, test in tests.items() if test["policy"] != ["9 가"]}
    tests["tests/test_x.py::test_section"] = proving("9")

    built = build(run("sqlite", tests))

    assert unit(built, "4")["status"] == unit(built, "11")["status"] == report.NOT_APPLICABLE
    assert unit(built, "9 가")["status"] == report.UNPROVEN
    nine = next(section for section in built["sections"] if section["key"] == "9")
    assert [test["id"] for test in nine["tests"]] == ["tests/test_x.py::test_section"]


def test_rules_from_the_law_have_their_own_part_with_the_article_cited():
    tests = everything_proven() | {
        "tests/test_y.py::test_law": {
            "policy": [],
            "law": ["고시 제8조"],
            "infra": False,
            "doc": "reviewed monthly",
            "outcome": "passed",
        }
    }

    built = build(run("sqlite", tests))

    assert built["law"] == [
        {
            "article": "고시 제8조",
            "title": LAW_ARTICLES["고시 제8조"],
            "status": report.PROVEN,
            "tests": [
                {
                    "id": "tests/test_y.py::test_law",
                    "doc": "reviewed monthly",
                    "outcome": "passed",
                    "outcomes": {"sqlite": "passed"},
                }
            ],
        }
    ]


def test_each_test_counts_once_as_a_proof_a_feature_or_machinery():
    def other(**marks) -> dict:
        return {"policy": [], "law": [], "infra": False, "doc": "", "outcome": "passed"} | marks

    tests = everything_proven() | {
        "tests/test_z.py::test_search": other(feature=True),
        "tests/test_z.py::test_query_count": other(feature=True, infra=True),
        "tests/test_z.py::test_search_keeps_nothing": other(feature=True, policy=["1 가"]),
        # Results written before the feature marker existed.
        "tests/test_z.py::test_layout": {
            key: value for key, value in other(infra=True).items() if key != "feature"
        },
    }

    summary = build(run("sqlite", tests))["summary"]

    assert (summary["proving"], summary["feature"], summary["infra"]) == (
        len(APPLICABLE) + 1,
        1,
        2,
    )
    assert summary["proving_share"] == round((len(APPLICABLE) + 1) / (len(APPLICABLE) + 4), 4)
    assert report.problems(build(run("sqlite", tests))) == []


def test_an_unmarked_test_fails_the_report_naming_it():
    tests = everything_proven() | {
        f"tests/test_z.py::test_{number}": {
            "policy": [],
            "law": [],
            "infra": False,
            "feature": False,
            "doc": "",
            "outcome": "passed",
        }
        for number in range(2)
    }

    built = build(run("sqlite", tests))

    assert built["unmarked"] == ["tests/test_z.py::test_0", "tests/test_z.py::test_1"]
    assert report.problems(built) == [
        "2 tests carry no policy, law, feature or infra marker, the first tests/test_z.py::test_0"
    ]


def test_the_command_writes_the_three_reports_and_exits_0_when_every_clause_is_proven(tmp_path):
    results = tmp_path / "results-sqlite.json"
    results.write_text(json.dumps(run("sqlite", everything_proven())), encoding="utf-8")

    assert main([str(results), "--out", str(tmp_path / "out")]) == 0

    built = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert (built["commit"], built["date"], built["backends"]) == (
        "abc123",
        "2026-11-29",
        ["sqlite"],
    )
    assert (built["python"], built["django"]) == ("3.11.7", "5.2.19")
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "### §9 가 비밀번호 암호화 — **증명됨 (proven)**" in markdown
    assert "## §4 개인정보의 취급위탁 — **해당 없음 (not applicable)**" in markdown
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "고객지원 센터 회원 아이디(ID)의 비밀번호는 암호화되어" in html
    assert "<script" not in html


def test_the_command_exits_1_and_names_each_unproven_clause(tmp_path, capsys):
    results = tmp_path / "results-sqlite.json"
    results.write_text(json.dumps(run("sqlite", {})), encoding="utf-8")

    assert main([str(results), "--out", str(tmp_path)]) == 1

    errors = capsys.readouterr().err
    assert "FAIL §1 가 수집하는 개인정보의 항목: unproven" in errors
    assert "§4" not in errors and "§11" not in errors
