"""What the privacy app asks of the apps above it, which answer from their ``ready()``."""

from __future__ import annotations

from core.hooks import Contributions

notice_holds = Contributions(
    "privacy.hooks.notice_holds",
    """``notice_holds(notice) -> str | None``: why an app above needs ``notice`` to stay
    published and pinned now (a breach's public notice, 30 days under 시행령 §39 ③), as a
    translated sentence; None when it need not. The notices' admin then refuses to delete,
    unpin or re-date it.""",
)
