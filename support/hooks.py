"""What the support desk asks of retention, which sits above it and answers from its ``ready()``."""

from __future__ import annotations

from core.hooks import Hook

deletion = Hook(
    "support.hooks.deletion",
    """``deletion(record) -> (category_key, datetime | None)``: the retention category a row
    belongs to and when it is destroyed (None: at withdrawal, or once its clock starts — a
    complaint's at its resolution).""",
)
