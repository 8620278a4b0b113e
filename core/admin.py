"""Admin pieces every app uses."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """Records kept as evidence: staff may read them, nobody adds, edits or deletes them here.

    Only the retention purge deletes them, when their period has lapsed.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
