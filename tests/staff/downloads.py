"""What a staff download of personal data is posted with: the selection and the reason that
고시 제8조 asks for first."""

from __future__ import annotations

REASON = "Answering the member's letter of 3 March"


def export_form(members, *, reason: str | None = REASON) -> dict:
    """The member list's CSV export action for ``members``, as sent from its reason page; with
    ``reason=None``, as first chosen in the list (whose form names the action bar, ``index``)."""
    form = {"action": "export_csv", "_selected_action": [member.pk for member in members]}
    if reason is None:
        form.update(index="0")
    else:
        form.update(reason=reason, post="yes")
    return form
