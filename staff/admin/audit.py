"""Admin plumbing that writes the 개인정보 접속기록 for every page showing members' data."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from core.http import client_ip
from privacy.selectors import restricted_member_ids
from staff.models import AccessRecord
from staff.services import audit

# Query parameters of a changelist that only steer the display, not which members it shows.
_DISPLAY_ONLY = {"o", "_changelist_filters"}


def describe_list(request) -> str:
    """The search, filters and page of a list request, for the record of who saw what.

    A NUL typed into a search is kept as U+FFFD: PostgreSQL text cannot hold it, and the
    record must be written whatever was searched.
    """
    parts = [f"{key}={value}" for key, value in request.GET.items() if key not in _DISPLAY_ONLY]
    return "&".join(sorted(parts)).replace("\x00", "\ufffd")


class AccessAuditedAdmin:
    """Mixin for the ModelAdmin of any model showing members' personal data (policy §9 다).

    Lists write one record per member shown on the page (or one naming the query when it shows
    nobody); a change page viewed, a change saved, a deletion and an admin action write theirs.
    """

    def audited_member_pks(self, objects) -> list[int | None]:
        """The members each object is about; the default is the ``member`` foreign key."""
        return [getattr(obj, "member_id", None) for obj in objects]

    def _target(self) -> str:
        # A proxy's screen shows its table's rows: the record names the table, as retention does.
        return self.model._meta.concrete_model._meta.label_lower

    def audit(self, request, action, objects, detail=""):
        pks = [pk for pk in self.audited_member_pks(objects) if pk is not None]
        audit.record_access(
            staff=request.user,
            ip=client_ip(request),
            action=action,
            members=pks,
            target=self._target(),
            detail=detail,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and request.method == "GET":
            self.audit(
                request, AccessRecord.Action.LIST, changelist.result_list, describe_list(request)
            )
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        # A POST answered with the page again (invalid input) shows the member's data too.
        if object_id and response.status_code == 200 and hasattr(response, "context_data"):
            obj = response.context_data.get("original")
            if obj is not None:
                self.audit(request, AccessRecord.Action.VIEW, [obj])
                self.warn_if_restricted(request, obj)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = getattr(response, "context_data", {}).get("object")
        if obj is not None and response.status_code == 200:
            self.audit(request, AccessRecord.Action.VIEW, [obj], detail="history")
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit_save(request, obj, form, change)

    def audit_save(self, request, obj, form, change):
        """The record of a save; an admin whose ``save_model`` calls a service writes it after."""
        action = AccessRecord.Action.CHANGE if change else AccessRecord.Action.ADD
        self.audit(request, action, [obj], detail=",".join(form.changed_data))

    def delete_model(self, request, obj):
        self.audit(request, AccessRecord.Action.DELETE, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self.audit(request, AccessRecord.Action.DELETE, list(queryset))
        super().delete_queryset(request, queryset)

    def response_action(self, request, queryset):
        # Every admin action on selected rows is a handling of those members' data.
        action = request.POST.get("action", "")
        selected = request.POST.getlist("_selected_action")
        if action and selected and action != "delete_selected":
            objects = list(queryset.filter(pk__in=selected))
            self.audit(request, AccessRecord.Action.ADMIN_ACTION, objects, detail=action)
        return super().response_action(request, queryset)

    def warn_if_restricted(self, request, obj):
        pks = [pk for pk in self.audited_member_pks([obj]) if pk is not None]
        if pks and restricted_member_ids().filter(member_id__in=pks).exists():
            messages.warning(
                request,
                _(
                    "This member has an open correction request: their data must not be used "
                    "or provided until it is resolved (policy §7)."
                ),
            )
