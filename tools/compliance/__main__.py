"""``python -m tools.compliance RESULTS... [--out DIR]``: the report from the runs' results.

Writes ``report.json``, ``report.html`` and ``report.md`` under DIR (default
``var/compliance``), prints what fails, and exits 1 when a clause is unproven, a proving test
failed, or a test carries none of the markers ``policy``, ``law``, ``feature``, ``infra``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from privacy.clauses import IMPLEMENTED_BY, LAW_ARTICLES
from tools.compliance import policy, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.compliance")
    parser.add_argument("results", nargs="+", type=Path, help="a run's --compliance-results file")
    parser.add_argument("--out", type=Path, default=Path("var/compliance"))
    parser.add_argument("--policy", type=Path, default=policy.POLICY_TEXT)
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.results]
    built = report.build(
        runs=runs, sections=policy.load(args.policy), code=IMPLEMENTED_BY, laws=LAW_ARTICLES
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(report.render_json(built), encoding="utf-8")
    (args.out / "report.html").write_text(report.render_html(built), encoding="utf-8")
    (args.out / "report.md").write_text(report.render_markdown(built), encoding="utf-8")
    print(
        f"compliance report in {args.out}/report.{{html,json,md}}: databases "
        f"{', '.join(built['backends'])}; {report.summary_line(built['summary'])}"
    )
    found = report.problems(built)
    for problem in found:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
