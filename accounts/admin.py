from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.forms import MemberIdField
from accounts.models import IdentityVerification, MisuseRecord, Product, User, VisitRecord


class MemberCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)
        field_classes = {"username": MemberIdField}


class MemberChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {"username": MemberIdField}


@admin.register(User)
class MemberAdmin(UserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Member items (policy §1)"), {"fields": ("company", "project", "product")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "closed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "username",
        "company",
        "project",
        "product",
        "is_active",
        "is_staff",
        "date_joined",
        "closed_at",
    )
    list_filter = ("is_staff", "is_active", "product")
    search_fields = ("username", "company", "project")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined", "closed_at")
    date_hierarchy = "date_joined"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "active", "ordering")
    list_editable = ("active", "ordering")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Automatically generated records are evidence: staff may read them, never edit them."""

    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "member", "ip", "method", "path", "status")
    list_filter = ("method", "status")
    list_select_related = ("member",)


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "member", "ip", "kind")
    list_filter = ("kind",)
    list_select_related = ("member",)


@admin.register(MisuseRecord)
class MisuseRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "username_tried", "member", "ip", "kind")
    list_filter = ("kind",)
    list_select_related = ("member",)
