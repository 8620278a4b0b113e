"""What the support desk asks of the apps above it (retention, self-service), which answer from
their ``ready()``."""

from __future__ import annotations

from core.hooks import Contributions, Hook

deletion = Hook(
    "support.hooks.deletion",
    """``deletion(record) -> (category_key, datetime | None)``: the retention category a row
    belongs to and when it is destroyed (None: at withdrawal, or once its clock starts — a
    complaint's at its resolution).""",
)

first_response_hours = Hook(
    "support.hooks.first_response_hours",
    """``first_response_hours(*, member, product, category, day) -> int | None``: the working
    hours within which the first answer to ``member``'s inquiry about ``product`` is due, when a
    support contract in force on ``day`` sets them; None for the desk's defaults.""",
)

suggestions = Hook(
    "support.hooks.suggestions",
    """``suggestions(*, title, product) -> list``: published knowledge-base articles that may
    answer an inquiry with ``title`` about ``product``, each with ``title`` and ``url``.""",
)

article_choices = Hook(
    "support.hooks.article_choices",
    """``article_choices() -> list``: ``(value, label)`` pairs of the published knowledge-base
    articles a staff answer may link to.""",
)

article_links = Hook(
    "support.hooks.article_links",
    """``article_links(values) -> list``: the articles of the chosen ``values``, in order, each a
    dict with ``title`` and ``url`` (a path of this site).""",
)

inquiry_tools = Contributions(
    "support.hooks.inquiry_tools",
    """``inquiry_tools(*, inquiry, user) -> dict | None``: a button an app above adds to the
    staff's page of ``inquiry`` for ``user`` (``label`` and ``url``), or None where it does not
    apply.""",
)
