"""One table for ``make bench``: each benchmark adds its figures, each against the baseline it
measured in the same run, to the file ``BENCH_REPORT`` names (JSON lines); then

    .venv/bin/python bench/report.py FILE

prints them together, one row per figure, and exits 1 if any figure missed its target (a run
too small to judge one, as CI's, marks it "-").
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def add(
    bench: str, backend: str, what: str, *, measured: str, baseline: str,
    ratio: float | None, target: str, met: bool | None,
) -> None:  # fmt: skip
    """Add one figure to the run's table (nothing without ``BENCH_REPORT``); ``met`` is None
    where the run was too small to judge the target (CI's scale)."""
    line = {
        "bench": bench, "backend": backend, "what": what, "measured": measured,
        "baseline": baseline, "ratio": ratio, "target": target, "met": met,
    }  # fmt: skip
    if os.environ.get("BENCH_REPORT"):
        with open(os.environ["BENCH_REPORT"], "a", encoding="utf-8") as report:
            report.write(json.dumps(line, ensure_ascii=False) + "\n")


def main() -> int:
    rows = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines() if line]
    headings = ("bench", "backend", "what", "measured", "baseline", "ratio", "target", "")
    verdicts = {True: "ok", False: "MISSED", None: "-"}
    table = [
        (row["bench"], row["backend"], row["what"], row["measured"], row["baseline"],
         "-" if row["ratio"] is None else f"{row['ratio']:.2f}", row["target"],
         verdicts[row["met"]])
        for row in rows
    ]  # fmt: skip
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headings, *table, strict=True)
    ]
    for line in (headings, ["-" * width for width in widths], *table):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    missed = [row for row in rows if row["met"] is False]
    if missed:
        print(f"{len(missed)} figure(s) missed their target.", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
