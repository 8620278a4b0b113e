"""Every line of the compliance page, in its order, and the page's overall state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from compliance.checks import AMBER, GREEN, RED, Check
from compliance.selectors.policy import policy_versions, reconsent
from compliance.selectors.proof import proof_report
from compliance.selectors.retention import legal_holds, purge_runs, retention_categories
from compliance.selectors.rights import correction_notices, privacy_requests
from compliance.selectors.staff import (
    access_reviews,
    idle_staff,
    privilege_changes,
    second_factor,
    staff_passwords,
)

LINES: tuple[Callable[..., list[Check]], ...] = (
    retention_categories,
    purge_runs,
    legal_holds,
    privacy_requests,
    correction_notices,
    access_reviews,
    second_factor,
    staff_passwords,
    idle_staff,
    privilege_changes,
    policy_versions,
    reconsent,
    proof_report,
)


def compliance_checks(*, now: datetime.datetime | None = None) -> list[Check]:
    """Every line of the page, in the page's order; a fixed number of queries whatever the data."""
    now = now or timezone.now()
    return [check for line in LINES for check in line(now=now)]


def overall(checks: list[Check]) -> str:
    """The worst state among ``checks``."""
    states = {check.state for check in checks}
    return RED if RED in states else AMBER if AMBER in states else GREEN
