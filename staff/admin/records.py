"""The staff's own evidence: access records and privilege changes, read-only for everyone."""

from django.contrib import admin
from django.utils.text import capfirst

from core.admin import ReadOnlyAdminMixin
from staff.models import AccessRecord, PrivilegeChange
from staff.roles import role_label


class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Access and privilege-change records: read-only for everyone, superusers included.

    Every list page of members' data writes a row per member shown, so the access records grow
    fastest of all tables: no date hierarchy (it reads every row's date), a date filter by
    ranges of the indexed time instead, and a filtered list counts its own rows only.
    """

    list_filter = (("time", admin.DateFieldListFilter),)
    show_full_result_count = False


class TargetFilter(admin.SimpleListFilter):
    """What was handled, named by its model: the models the admin site shows, with their
    inlines, and not the values present in the table (a scan of every access record). A proxy
    stands for its table, under the proxy's name."""

    title = AccessRecord._meta.get_field("target").verbose_name
    parameter_name = "target"

    def lookups(self, request, model_admin):
        shown = set()
        for model, each in model_admin.admin_site._registry.items():
            shown.add(model)
            shown.update(inline.model for inline in each.inlines)
        choices = {
            model._meta.concrete_model._meta.label_lower: capfirst(model._meta.verbose_name)
            for model in shown
        }
        return sorted(choices.items(), key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(target=self.value())
        return queryset


@admin.register(AccessRecord)
class AccessRecordAdmin(EvidenceAdmin):
    list_display = (
        "time", "staff_username", "ip", "action", "member", "target", "detail", "reason",
    )  # fmt: skip
    list_filter = (*EvidenceAdmin.list_filter, "action", TargetFilter)
    search_fields = ("staff_username", "member__username")
    list_select_related = ("member",)


@admin.register(PrivilegeChange)
class PrivilegeChangeAdmin(EvidenceAdmin):
    list_display = ("time", "changed_by_username", "ip", "subject", "role", "change")
    search_fields = ("changed_by_username", "subject__username", "group_name", "change")
    list_select_related = ("subject",)

    @admin.display(description=PrivilegeChange._meta.get_field("group_name").verbose_name)
    def role(self, record):
        return role_label(record.group_name) if record.group_name else None
