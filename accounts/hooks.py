"""What accounts asks of retention, which sits above it and answers from its ``ready()``.

Retention's registry is the single source of every period (policy §5), and no app imports
retention (docs/architecture.md): sign-up and the my-data page get their answers here.
"""

from __future__ import annotations

from core.hooks import Contributions, Hook

id_reserved = Hook(
    "accounts.hooks.id_reserved",
    """``id_reserved(username) -> bool``: whether an ID nobody uses is still held by a withdrawn
    member whose records are kept (policy §5 나), so that it cannot be registered again.""",
)

member_retention = Hook(
    "accounts.hooks.member_retention",
    """``member_retention(member)``: what the my-data page and the export say of the member's
    records, counted and dated in one query. ``schedule`` has, per retention category holding
    the member's records, an entry with ``category`` (``key``, ``label``, ``months``,
    ``basis``, ``clock``) and ``next_deletion`` (when the oldest of them is destroyed, or None
    while the clock has not started). ``records`` has the member's own records that the my-data
    page shows, one entry per table in registry order, with ``category``, ``rows`` (a queryset
    of the member's rows, newest first), ``count`` (how many) and ``due_date(row)`` (when that
    row is destroyed). ``holds(model)`` says whether any table of ``model`` ("app.model") in the
    registry has a row of the member, from the same query.""",
)

export_sections = Contributions(
    "accounts.hooks.export_sections",
    """``export_sections(member) -> dict``: what apps above hold about the member, as JSON-ready
    sections of the member's data export (policy §7 열람), keyed by section name.""",
)

kept_after_withdrawal = Hook(
    "accounts.hooks.kept_after_withdrawal",
    """``kept_after_withdrawal()``: what the done page of a withdrawal tells anyone (policy §5,
    §6 가): the record categories that are kept after an account closes, in registry order, each
    with ``label``, ``months``, ``basis``, ``clock`` (what starts its period) and
    ``reserves_id`` (while it is kept, the member's ID cannot be registered again, §5 나).""",
)

export_labels = Contributions(
    "accounts.hooks.export_labels",
    """``export_labels() -> dict``: how the readable export (CSV, print view) labels the
    sections an app gives ``export_sections``, keyed by section name: ``{"title": …,
    "columns": {key: heading}, "choices": {key: {value: label}}, "words": {key: function},
    "parts": {key: the same for a list of items inside each item}}``, in the active language.
    ``columns`` says which keys are shown and in which order; the other entries are optional.""",
)

member_panels = Contributions(
    "accounts.hooks.member_panels",
    """``member_panels(member) -> dict | None``: a panel about the member from an app above (a
    support contract's coverage, …) shown on the my-data page and the support pages: its
    ``template`` and the context that template needs; None when there is nothing to show.""",
)

after_login = Contributions(
    "accounts.hooks.after_login",
    """``after_login(member) -> str | None``: the path of a page an app above must show the
    member right after login, before any other (a breach notice, PIPA §34), or None. The login
    keeps the first path given in the session; ``accounts.middleware.FirstPageMiddleware`` sends
    the member there until that page lets them go (``release_first_page``).""",
)
