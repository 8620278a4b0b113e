"""The proof report: the policy in force clause by clause, the tests that prove each, the code.

``build`` merges the results of one or more runs (one per database backend, written by the
plugin) into one report, a plain dict that depends only on its inputs, so the same results give
the same JSON and two reports can be diffed. ``render_json``, ``render_markdown`` and
``render_html`` present it; ``problems`` says what fails ``make compliance``.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Mapping

import markdown
import nh3

from tools.compliance.policy import Section

# The share of tests that should prove a clause or an article; the rest say what they are instead
# (``feature``, ``infra``). Shown against the actual share, not enforced: every test must carry
# one of the four markers, and a clause nobody proves fails the report.
PROVING_TARGET = 0.95
PROVEN, UNPROVEN, FAILED, NOT_APPLICABLE = "proven", "unproven", "failed", "not_applicable"
STATUS_LABEL = {
    PROVEN: "증명됨 (proven)",
    UNPROVEN: "증명 안 됨 (unproven)",
    FAILED: "실패 (failed)",
    NOT_APPLICABLE: "해당 없음 (not applicable)",
}


def _outcome(outcomes: Mapping[str, str]) -> str:
    values = set(outcomes.values())
    return "failed" if "failed" in values else "passed" if "passed" in values else "skipped"


def _merged_tests(runs: list[dict]) -> dict[str, dict]:
    tests: dict[str, dict] = {}
    for run in runs:
        for node_id, test in run["tests"].items():
            merged = tests.setdefault(
                node_id,
                {key: test[key] for key in ("doc", "infra", "law", "policy")}
                # Results written before features had a marker of their own have no such key.
                | {"feature": test.get("feature", False), "outcomes": {}},
            )
            merged["outcomes"][run["backend"]] = test["outcome"]
    for test in tests.values():
        test["outcome"] = _outcome(test["outcomes"])
    return tests


def kind(test: Mapping) -> str | None:
    """What a test is: a proof of a clause or an article, machinery, a feature, or unmarked."""
    if test["policy"] or test["law"]:
        return "proving"
    if test["infra"]:
        return "infra"
    if test.get("feature"):
        return "feature"
    return None


def _proofs(tests: dict[str, dict], key: str, value: str) -> list[dict]:
    return [
        {
            "id": node_id,
            "doc": test["doc"],
            "outcome": test["outcome"],
            "outcomes": test["outcomes"],
        }
        for node_id, test in sorted(tests.items())
        if value in test[key]
    ]


def _status(proofs: list[dict], *, not_applicable: bool = False) -> str:
    outcomes = {proof["outcome"] for proof in proofs}
    if not_applicable and not proofs:
        return NOT_APPLICABLE
    if "failed" in outcomes:
        return FAILED
    return PROVEN if "passed" in outcomes else UNPROVEN


def build(
    *,
    runs: list[dict],
    sections: Iterable[Section],
    code: Mapping[str, Iterable[str]],
    laws: Mapping[str, str],
) -> dict:
    """One report from the runs' results, the policy's sections and the clause→code mapping."""
    tests = _merged_tests(runs)
    report_sections = []
    for section in sections:
        own = _proofs(tests, "policy", section.key)
        units = [
            {
                "key": clause.key,
                "title": clause.title,
                "text": clause.text,
                "tests": (proofs := _proofs(tests, "policy", clause.key)),
                "code": sorted(code.get(clause.key, ())),
                "status": _status(proofs),
            }
            for clause in section.clauses
        ]
        report_sections.append(
            {
                "key": section.key,
                "title": section.title,
                "text": section.text,
                "tests": own,
                "code": sorted(code.get(section.key, ())),
                # A section with clauses is proven clause by clause; its own tests prove its
                # introduction and are shown, not counted.
                "status": None if units else _status(own, not_applicable=section.not_applicable),
                "clauses": units,
            }
        )
    articles = sorted({article for test in tests.values() for article in test["law"]})
    law = [
        {
            "article": article,
            "title": laws.get(article, ""),
            "tests": (proofs := _proofs(tests, "law", article)),
            "status": _status(proofs),
        }
        for article in articles
    ]
    total = len(tests)
    kinds = Counter(kind(test) for test in tests.values())
    first = min(runs, key=lambda run: run["backend"]) if runs else {}
    return {
        "commit": ",".join(sorted({run["commit"] for run in runs})),
        "date": max((run["date"] for run in runs), default=""),
        "backends": sorted({run["backend"] for run in runs}),
        "python": first.get("python", ""),
        "django": first.get("django", ""),
        "sections": report_sections,
        "law": law,
        "summary": {
            "tests": total,
            "proving": kinds["proving"],
            "feature": kinds["feature"],
            "infra": kinds["infra"],
            "proving_share": round(kinds["proving"] / total, 4) if total else 0.0,
            "failed": sum(1 for test in tests.values() if test["outcome"] == "failed"),
        },
        "unmarked": sorted(node_id for node_id, test in tests.items() if kind(test) is None),
    }


def units(report: dict) -> list[dict]:
    """Every clause, and every section without clauses, in the policy's order."""
    return [unit for section in report["sections"] for unit in section["clauses"] or [section]]


def problems(report: dict) -> list[str]:
    """Why the report fails: an unproven clause, a failed proving test, an unmarked test."""
    found = [
        f"§{unit['key']} {unit['title']}: {unit['status']}"
        for unit in units(report)
        if unit["status"] in (UNPROVEN, FAILED)
    ]
    found += [
        f"{entry['article']}: {entry['status']}"
        for entry in report["law"]
        if entry["status"] == FAILED
    ]
    if unmarked := report["unmarked"]:
        found.append(
            f"{len(unmarked)} tests carry no policy, law, feature or infra marker, "
            f"the first {unmarked[0]}"
        )
    return found


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _test_line(proof: dict) -> str:
    doc = f" — {proof['doc']}" if proof["doc"] else ""
    per_backend = ", ".join(
        f"{backend} {outcome}" for backend, outcome in sorted(proof["outcomes"].items())
    )
    return f"- `{proof['id']}`{doc} ({per_backend})"


def _markdown_unit(unit: dict, heading: str) -> list[str]:
    lines = [f"{heading} §{unit['key']} {unit['title']} — **{STATUS_LABEL[unit['status']]}**", ""]
    lines += ["> " + line if line else ">" for line in unit["text"].splitlines()]
    lines.append("")
    lines += [_test_line(proof) for proof in unit["tests"]] or ["- no test proves this"]
    if unit["code"]:
        lines.append("- code: " + ", ".join(f"`{name}`" for name in unit["code"]))
    return [*lines, ""]


def _header(report: dict) -> str:
    summary = report["summary"]
    return (
        f"commit {report['commit']} · {report['date']} · "
        f"databases {', '.join(report['backends'])} · "
        f"Python {report['python']} · Django {report['django']} · "
        f"{summary_line(summary)}, {summary['failed']} failed"
    )


def summary_line(summary: dict) -> str:
    return (
        f"{summary['proving']} of {summary['tests']} tests prove a clause or an article "
        f"({summary['proving_share']:.1%}, target {PROVING_TARGET:.0%}), "
        f"{summary['feature']} test features the policy is silent on, "
        f"{summary['infra']} test machinery"
    )


def render_markdown(report: dict) -> str:
    lines = ["# 개인정보처리방침 준수 증명 (compliance report)", "", _header(report), ""]
    for problem in problems(report):
        lines.append(f"- ❌ {problem}")
    lines.append("")
    for section in report["sections"]:
        if section["clauses"]:
            lines += [f"## §{section['key']} {section['title']}", ""]
            lines += [_test_line(proof) for proof in section["tests"]]
            lines += [""] if section["tests"] else []
            for clause in section["clauses"]:
                lines += _markdown_unit(clause, "###")
        else:
            lines += _markdown_unit(section, "##")
    lines += ["## 법령에 따른 규칙 (rules from the law)", ""]
    for entry in report["law"]:
        lines += [f"### {entry['article']} {entry['title']} — **{entry['status']}**", ""]
        lines += [*(_test_line(proof) for proof in entry["tests"]), ""]
    return "\n".join(lines).rstrip() + "\n"


CSS = """
body{font-family:"Noto Sans CJK KR","Noto Sans KR",sans-serif;margin:2rem auto;max-width:70rem;
color:#1b1b1b;line-height:1.5}
header p{color:#444}
section.unit{border-left:.5rem solid #888;padding:.25rem 1rem;margin:1rem 0;background:#fafafa}
.proven{border-color:#1a7f37}.unproven,.failed{border-color:#c62828}.not_applicable{border-color:#8a8a8a}
.status{font-weight:bold;padding:0 .4rem;border-radius:.25rem;color:#fff}
.status.proven{background:#1a7f37}.status.unproven,.status.failed{background:#c62828}
.status.not_applicable{background:#6b6b6b}
.passed{color:#1a7f37}.failed-test{color:#c62828;font-weight:bold}.skipped{color:#6b6b6b}
blockquote{margin:.5rem 0;padding:.25rem .75rem;background:#fff;border:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem}
code{font-size:.9em}ul.problems li{color:#c62828}
"""


def _policy_html(text: str) -> str:
    return nh3.clean(markdown.markdown(text, extensions=["tables"]))


def _tests_html(proofs: list[dict]) -> str:
    if not proofs:
        return "<p><em>no test proves this</em></p>"
    items = []
    for proof in proofs:
        outcomes = " ".join(
            f'<span class="{"failed-test" if outcome == "failed" else outcome}">'
            f"{html.escape(backend)}: {html.escape(outcome)}</span>"
            for backend, outcome in sorted(proof["outcomes"].items())
        )
        doc = f" — {html.escape(proof['doc'])}" if proof["doc"] else ""
        items.append(f"<li><code>{html.escape(proof['id'])}</code>{doc} ({outcomes})</li>")
    return '<ul class="tests">' + "".join(items) + "</ul>"


def _unit_html(unit: dict, tag: str) -> str:
    status = unit["status"]
    code = "".join(f"<li><code>{html.escape(name)}</code></li>" for name in unit["code"])
    return (
        f'<section class="unit {status}" id="s{html.escape(unit["key"].replace(" ", "-"))}">'
        f"<{tag}>§{html.escape(unit['key'])} {html.escape(unit['title'])} "
        f'<span class="status {status}">{html.escape(STATUS_LABEL[status])}</span></{tag}>'
        f"<blockquote>{_policy_html(unit['text'])}</blockquote>"
        f"<h4>tests</h4>{_tests_html(unit['tests'])}"
        + (f"<h4>code</h4><ul>{code}</ul>" if code else "")
        + "</section>"
    )


def render_html(report: dict) -> str:
    parts = [
        '<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">',
        "<title>개인정보처리방침 준수 증명</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>개인정보처리방침 준수 증명</h1><p>{html.escape(_header(report))}</p>",
    ]
    found = problems(report)
    if found:
        parts.append(
            '<ul class="problems">'
            + "".join(f"<li>{html.escape(problem)}</li>" for problem in found)
            + "</ul>"
        )
    parts.append("</header><main>")
    for section in report["sections"]:
        if section["clauses"]:
            parts.append(f"<h2>§{html.escape(section['key'])} {html.escape(section['title'])}</h2>")
            if section["text"]:
                parts.append(f"<blockquote>{_policy_html(section['text'])}</blockquote>")
            if section["tests"]:
                parts.append(_tests_html(section["tests"]))
            parts += [_unit_html(clause, "h3") for clause in section["clauses"]]
        else:
            parts.append(_unit_html(section, "h2"))
    parts.append("<h2>법령에 따른 규칙 (rules from the law)</h2>")
    for entry in report["law"]:
        status = entry["status"]
        parts.append(
            f'<section class="unit {status}"><h3>{html.escape(entry["article"])} '
            f"{html.escape(entry['title'])} "
            f'<span class="status {status}">{html.escape(STATUS_LABEL[status])}</span></h3>'
            f"{_tests_html(entry['tests'])}</section>"
        )
    if report["unmarked"]:
        parts.append("<h2>unmarked tests</h2><ul>")
        parts += [f"<li><code>{html.escape(node_id)}</code></li>" for node_id in report["unmarked"]]
        parts.append("</ul>")
    parts.append("</main></body></html>\n")
    return "".join(parts)
