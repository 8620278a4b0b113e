"""The admin of members and of the records about them (policy §1 나), for staff roles.

Every list and page here shows personal data, so every view writes its access record
(``AccessAuditedAdmin``); what a role may not see is missing and refused with 403.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.forms import MemberIdField
from accounts.models import (
    IdentityVerification,
    MisuseRecord,
    PasswordResetCode,
    User,
    VisitRecord,
)
from core.admin import ReadOnlyAdminMixin
from core.http import client_ip
from privacy import services as privacy_services
from staff.admin.audit import AccessAuditedAdmin
from staff.admin.roles import RoleAndPermissionChoices
from staff.exceptions import CallerNotVerified, NotAMember
from staff.forms import CallerVerificationForm, DownloadReasonForm, FlagForm
from staff.selectors.members import member_status, with_lockout
from staff.services import members as members_service
from staff.services import recovery


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

    def clean(self):
        cleaned_data = super().clean()
        # 안전성 확보조치 기준 제5조: an account leaving staff keeps no role or right. The save
        # takes them away (staff.receivers); the roles still ticked here must not come back.
        leaves_staff = "is_staff" in self.fields and not cleaned_data.get("is_staff")
        if self.instance.is_staff and leaves_staff:
            cleaned_data["groups"] = Group.objects.none()
            cleaned_data["user_permissions"] = Permission.objects.none()
            cleaned_data["is_superuser"] = False
        return cleaned_data


@admin.register(User)
class MemberAdmin(AccessAuditedAdmin, RoleAndPermissionChoices, UserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    fieldsets = (
        (None, {"fields": ("username", "status", "password")}),
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
        "status",
        "is_staff",
        "date_joined",
        "closed_at",
    )
    list_filter = ("is_staff", "is_active", "product", ("date_joined", admin.DateFieldListFilter))
    # The product is a nullable foreign key, which admin's automatic select_related leaves out.
    list_select_related = ("product",)
    search_fields = ("username", "company", "project")
    ordering = ("username",)
    readonly_fields = ("status", "password_reset", "last_login", "date_joined", "closed_at")
    # Operations see a member's account in full, but Django's link to set its password by hand
    # gives way to the reset code, issued once the caller's identity is verified.
    ops_member_fieldsets = (
        (None, {"fields": ("username", "status", "password_reset")}),
        *fieldsets[1:],
    )
    actions = ["export_csv"]
    change_form_template = "admin/accounts/user/change_form.html"
    # Handlers and agents see and correct a member's items; roles and rights are for ops.
    member_fieldsets = (
        (None, {"fields": ("username", "status")}),
        (_("Member items (policy §1)"), {"fields": ("company", "project", "product")}),
        (_("Dates"), {"fields": ("is_active", "last_login", "date_joined", "closed_at")}),
    )
    member_readonly_fields = (
        "username", "status", "is_active", "last_login", "date_joined", "closed_at",
    )  # fmt: skip

    def audited_member_pks(self, objects):
        return [obj.pk for obj in objects]

    def get_queryset(self, request):
        queryset = with_lockout(super().get_queryset(request))
        if not request.user.is_superuser:
            # Staff accounts are managed by operations only (least privilege, policy §9 다).
            queryset = queryset.filter(is_staff=False, is_superuser=False)
        return queryset

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.member_fieldsets
        if obj is not None and not (obj.is_staff or obj.is_superuser):
            return self.ops_member_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.member_readonly_fields
        return super().get_readonly_fields(request, obj)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        return ("username", "company", "project", "product", "status", "date_joined")

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return ("is_active", "product", ("date_joined", admin.DateFieldListFilter))

    def has_add_permission(self, request):
        # Members sign up themselves; only operations create (staff) accounts here.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        # A member withdraws; a row is never deleted by hand, superusers excepted (ops repairs).
        return request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.has_perm("accounts.export_member")

    def has_flag_permission(self, request):
        return request.user.has_perm("accounts.flag_member")

    def has_reset_code_permission(self, request):
        return request.user.has_perm("accounts.issue_reset_code")

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_member")

    @admin.display(description=pgettext_lazy("member", "status"))
    def status(self, member):
        return str(member_status(member))

    @admin.display(description=_("Password"))
    def password_reset(self, member):
        explanation = gettext(
            "Staff never set a member's password: the member chooses a new one with a one-time "
            "code, issued once the caller's identity is verified."
        )
        if not accounts_services.can_reset(member):
            return explanation
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            explanation,
            reverse("admin:accounts_user_reset_code", args=[member.pk]),
            gettext("Password reset code"),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    def user_change_password(self, request, id, form_url=""):
        # Setting a member's password by hand is an operations repair, not a handler's task.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Export the selected members (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        """고시 제8조: the export asks why first, on a page of its own like Django's delete
        confirmation, carrying the selection over; only its valid POST builds the file."""
        form = DownloadReasonForm.from_request(request)
        if form.is_valid():
            body = members_service.export_members(
                members=queryset,
                staff=request.user,
                ip=client_ip(request),
                reason=form.cleaned_data["reason"],
            )
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="members.csv"'
            return response
        count = members_service.exportable(queryset).count()
        carried = [
            ("action", "export_csv"),
            ("select_across", request.POST.get("select_across", "0")),
            *((ACTION_CHECKBOX_NAME, pk) for pk in request.POST.getlist(ACTION_CHECKBOX_NAME)),
        ]
        return self._download_reason_page(
            request,
            form,
            title=gettext("Export members (CSV)"),
            summary=ngettext(
                "The file will hold the items of %(count)d member.",
                "The file will hold the items of %(count)d members.",
                count,
            )
            % {"count": count},
            carried=carried,
        )

    def _download_reason_page(self, request, form, *, title, summary, carried, original=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "summary": summary,
            "form": form,
            "carried": carried,
            "original": original,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accounts/user/download_reason.html", context)

    def response_action(self, request, queryset):
        # The export writes its own (more precise) record; do not count it twice.
        if request.POST.get("action") == "export_csv":
            return UserAdmin.response_action(self, request, queryset)
        return super().response_action(request, queryset)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/flag/",
                self.admin_site.admin_view(self.flag_view),
                name="{}_{}_flag".format(*info),
            ),
            path(
                "<int:object_id>/reset-code/",
                self.admin_site.admin_view(self.reset_code_view),
                name="{}_{}_reset_code".format(*info),
            ),
            path(
                "<int:object_id>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="{}_{}_lift".format(*info),
            ),
            path(
                "<int:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "<int:object_id>/unlock/",
                self.admin_site.admin_view(self.unlock_view),
                name="{}_{}_unlock".format(*info),
            ),
        ] + super().get_urls()

    def _flaggable(self, request, object_id):
        if not self.has_flag_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def flag_view(self, request, object_id):
        """Policy §1 나 불량 이용 기록: a handler flags a member for misuse, maybe suspending."""
        member = self._flaggable(request, object_id)
        form = FlagForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                members_service.flag_member(
                    member=member,
                    staff=request.user,
                    ip=client_ip(request),
                    reason=form.cleaned_data["reason"],
                    suspend=form.cleaned_data["suspend"],
                )
            except NotAMember:
                raise PermissionDenied from None
            self.message_user(request, gettext("The member was flagged for misuse."))
            return redirect(reverse("admin:accounts_user_change", args=[member.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Flag %(member)s for misuse") % {"member": member.username},
            "form": form,
            "original": member,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accounts/user/flag.html", context)

    def reset_code_view(self, request, object_id):
        """Verify a caller against the stored items, then show a one-time reset code once."""
        if not self.has_reset_code_permission(request):
            raise PermissionDenied
        member = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not accounts_services.can_reset(member):
            raise PermissionDenied
        form = CallerVerificationForm(request.POST or None)
        code = None
        if request.method == "POST" and form.is_valid():
            ip = client_ip(request)
            try:
                verification = recovery.verify_caller(
                    member=member, staff=request.user, ip=ip, **form.cleaned_data
                )
            except CallerNotVerified:
                form.add_error(
                    None, gettext("The answers do not match this member: no code was issued.")
                )
            else:
                code = recovery.issue_reset_code(
                    verification=verification, staff=request.user, ip=ip
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Password reset code for %(member)s") % {"member": member.username},
            "form": form,
            "code": code,
            "original": member,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accounts/user/reset_code.html", context)

    def lift_view(self, request, object_id):
        member = self._flaggable(request, object_id)
        if request.method != "POST":
            return redirect(reverse("admin:accounts_user_change", args=[member.pk]))
        try:
            members_service.lift_suspension(
                member=member, staff=request.user, ip=client_ip(request)
            )
        except NotAMember:
            self.message_user(
                request, gettext("A withdrawn account cannot be reopened."), messages.ERROR
            )
        else:
            self.message_user(request, gettext("The suspension was lifted."))
        return redirect(reverse("admin:accounts_user_change", args=[member.pk]))

    def export_view(self, request, object_id):
        """The member's data export (policy §7 열람) made by staff, after a reason (고시 제8조)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        member = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = DownloadReasonForm.from_request(request)
        if request.method == "POST" and form.is_valid():
            try:
                body = members_service.export_member_data(
                    member=member,
                    staff=request.user,
                    ip=client_ip(request),
                    reason=form.cleaned_data["reason"],
                )
            except NotAMember:
                raise PermissionDenied from None
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="member-data-{stamp}.json"'
            return response
        return self._download_reason_page(
            request,
            form,
            title=gettext("Download the data of %(member)s") % {"member": member.username},
            summary=gettext(
                "The file holds everything kept about the member, as their own export does."
            ),
            carried=[],
            original=member,
        )

    def unlock_view(self, request, object_id):
        """Policy §9 나: a handler ends a member's lockout at once, e.g. for a caller who forgot
        their password and is about to get a reset code."""
        if not self.has_unlock_permission(request):
            raise PermissionDenied
        member = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method != "POST":
            return redirect(reverse("admin:accounts_user_change", args=[member.pk]))
        try:
            members_service.unlock_member(member=member, staff=request.user, ip=client_ip(request))
        except NotAMember:
            raise PermissionDenied from None
        self.message_user(request, gettext("The member can log in again."))
        return redirect(reverse("admin:accounts_user_change", args=[member.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_flag": self.has_flag_permission(request),
            "can_export": self.has_export_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_issue_code"] = (
            obj is not None
            and self.has_reset_code_permission(request)
            and accounts_services.can_reset(obj)
        )
        context["can_unlock"] = (
            obj is not None
            and not (obj.is_staff or obj.is_superuser)
            and self.has_unlock_permission(request)
            and member_status(obj).state == "locked"
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        corrected = [
            name for name in ("company", "project", "product") if name in form.changed_data
        ]
        if change and corrected:
            privacy_services.note_correction(member=obj, fields=corrected)


class ReadOnlyRecordAdmin(AccessAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Automatically generated records are evidence: staff may read them, never edit them.

    The tables hold millions of rows: no date hierarchy (it reads every row's date), filters
    whose choices are fixed, and a filtered list counts its own rows only, not the table too.
    """

    list_filter = (("time", admin.DateFieldListFilter),)
    show_full_result_count = False


class MethodFilter(admin.SimpleListFilter):
    """The request's method, from a fixed list: listing the values present would read every
    visit record."""

    title = VisitRecord._meta.get_field("method").verbose_name
    parameter_name = "method"

    def lookups(self, request, model_admin):
        return [(method, method) for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(method=self.value())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The response's status by class (2xx, 4xx…), as ranges: no scan for the choices."""

    title = VisitRecord._meta.get_field("status").verbose_name
    parameter_name = "status_class"

    def lookups(self, request, model_admin):
        return [(str(first), f"{first}xx") for first in range(1, 6)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isascii() and value.isdigit() and 1 <= int(value) <= 5:
            low = int(value) * 100
            return queryset.filter(status__gte=low, status__lt=low + 100)
        return queryset


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "member", "ip", "method", "path", "status")
    list_filter = (*ReadOnlyRecordAdmin.list_filter, MethodFilter, StatusFilter)
    list_select_related = ("member",)


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "member", "ip", "kind", "verified_by", "channel")
    list_filter = (*ReadOnlyRecordAdmin.list_filter, "kind", "channel")
    list_select_related = ("member", "verified_by")


@admin.register(PasswordResetCode)
class PasswordResetCodeAdmin(ReadOnlyRecordAdmin):
    """Who issued which member a code, and whether it was used; never the code's hash.

    Codes are deleted when they expire, so the table stays small: no date filter.
    """

    list_display = ("created_at", "member", "issued_by", "expires_at", "used_at")
    list_filter = ()
    list_select_related = ("member", "issued_by")
    fields = ("member", "issued_by", "verification", "created_at", "expires_at", "used_at")


@admin.register(MisuseRecord)
class MisuseRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ("time", "username_tried", "member", "ip", "kind", "reason", "flagged_by")
    list_filter = (*ReadOnlyRecordAdmin.list_filter, "kind")
    list_select_related = ("member", "flagged_by")
