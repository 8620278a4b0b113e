"""Roles (Django's groups) and permissions in the admin, as staff read them (policy §9 다/라).

Groups are named by code (``privacy_handler``) and permissions stored in English; both are shown
in the reader's language: "개인정보취급자 (privacy_handler)", "회원 | 회원 | 회원 보기".
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

from staff.forms import PermissionsField, RolesField
from staff.roles import role_label

# The admin shows these packages' tables through proxies (staff.models): their own permissions
# open no screen, and their names exist in English only.
SHOWN_THROUGH_PROXIES = ("axes", "otp_totp")


class RoleAndPermissionChoices:
    """ModelAdmin mixin: role and permission choices labelled in the reader's language."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RolesField
        elif db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
            kwargs["queryset"] = Permission.objects.exclude(
                content_type__app_label__in=SHOWN_THROUGH_PROXIES
            ).select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoleAdmin(RoleAndPermissionChoices, GroupAdmin):
    list_display = ("role",)

    @admin.display(description=_("role"), ordering="name")
    def role(self, group):
        return role_label(group.name)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = role_label(obj.name)
        return super().render_change_form(request, context, add, change, form_url, obj)


admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)
