"""The last proof report's line of the compliance page (``make compliance``)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from compliance.checks import AMBER, GREEN, Check


def _unproven(report: dict) -> list[str]:
    """The clauses (or sections without clauses) the report could not show proven: no passing
    test, or a proving test that failed (tools.compliance.report)."""
    return [
        f"§{unit['key']}"
        for section in report["sections"]
        for unit in section["clauses"] or [section]
        if unit["status"] in ("unproven", "failed")
    ]


def proof_report(*, now: datetime.datetime) -> list[Check]:
    """The summary of ``report.json`` in ``COMPLIANCE_REPORT_DIR``, when one was built: amber
    when a clause is unproven or the file cannot be read (CI already fails such a build)."""
    path = Path(settings.COMPLIANCE_REPORT_DIR) / "report.json"
    if not path.is_file():
        return []
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        unproven = _unproven(report)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return [
            Check("proof", "proof.report", _("Last proof report"), AMBER, "—", _("Unreadable."))
        ]
    return [
        Check(
            area="proof",
            key="proof.report",
            label=_("Last proof report"),
            state=AMBER if unproven else GREEN,
            value=_("%(date)s, commit %(commit)s")
            % {
                "date": report.get("date") or report.get("generated_at") or "—",
                "commit": str(report.get("commit") or "—")[:12],
            },
            detail=_("Unproven clauses: %(clauses)s") % {"clauses": ", ".join(unproven)}
            if unproven
            else _("Every clause is proven."),
        )
    ]
