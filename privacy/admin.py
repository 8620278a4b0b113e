from django.contrib import admin

from privacy.models import Consent, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "title", "announced_at", "effective_at")
    date_hierarchy = "effective_at"

    def get_readonly_fields(self, request, obj=None):
        # The policy text a member agreed to is evidence of that agreement: it never changes.
        return ("label", "title", "body", "announced_at", "effective_at") if obj else ()


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("given_at", "member", "policy_version", "kind", "ip")
    list_filter = ("kind", "policy_version")
    list_select_related = ("member", "policy_version")
    date_hierarchy = "given_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
