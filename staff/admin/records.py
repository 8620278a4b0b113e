"""The staff's own evidence: access records and privilege changes, read-only for everyone."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from staff.models import AccessRecord, PrivilegeChange


class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Access and privilege-change records: read-only for everyone, superusers included."""

    date_hierarchy = "time"


@admin.register(AccessRecord)
class AccessRecordAdmin(EvidenceAdmin):
    list_display = ("time", "staff_username", "ip", "action", "member", "target", "detail")
    list_filter = ("action", "target")
    search_fields = ("staff_username", "member__username")
    list_select_related = ("member",)


@admin.register(PrivilegeChange)
class PrivilegeChangeAdmin(EvidenceAdmin):
    list_display = ("time", "changed_by_username", "ip", "subject", "group_name", "change")
    search_fields = ("changed_by_username", "subject__username", "group_name", "change")
    list_select_related = ("subject",)
