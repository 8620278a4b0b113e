"""What the staff side asks of retention, which sits above it and answers from its ``ready()``."""

from __future__ import annotations

from core.hooks import Contributions, Hook

held_member_pks = Hook(
    "staff.hooks.held_member_pks",
    """``held_member_pks() -> set[int]``: the members in the primary database whose records
    are under an active legal hold; the monthly review lists access to them.""",
)

archived_closures = Hook(
    "staff.hooks.archived_closures",
    """``archived_closures(since) -> QuerySet``: the withdrawn members already moved to the
    archive database who closed their account at or after ``since``, with a ``closed_at``
    field; the dashboard counts them with those still in the primary database.""",
)

dashboard_panels = Contributions(
    "staff.hooks.dashboard_panels",
    """``dashboard_panels(now) -> dict``: a panel of the staff dashboard from an app above,
    with ``title`` and ``rows`` (label, value) — aggregates only, never a member's row.""",
)

deadline_panels = Contributions(
    "staff.hooks.deadline_panels",
    """``deadline_panels(*, now, user) -> dict | None``: legal deadlines running now that an app
    above shows at the top of the staff dashboard to ``user`` (a breach's 72 hours, …): ``title``
    and ``rows``, each with ``label``, ``url``, ``state`` (the clock in words) and ``overdue``;
    None when ``user`` may not see them. Names no member.""",
)
