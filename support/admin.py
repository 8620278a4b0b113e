"""The staff's support desk in admin: the queue, the thread, answers and notes, status.

Every page shows a member's data, so each writes its access record (``AccessAuditedAdmin``);
every change goes through support.services, which keeps who changed what and when.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.http import client_ip
from staff.admin.audit import AccessAuditedAdmin
from staff.models import AccessRecord
from staff.services import audit
from support import hooks, selectors, services
from support.exceptions import InquiryClosed
from support.forms import StaffInquiryForm, StaffReplyForm, StaffUpdateForm
from support.models import Attachment, CannedReply, Inquiry
from support.views import attachment_response

CHANGE = "support.change_inquiry"


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("mine", _("Me")), ("nobody", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("first answer")
    parameter_name = "first_answer"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("waiting", _("Not yet given"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset & selectors.overdue()
        if self.value() == "waiting":
            return queryset & selectors.awaiting_first_answer()
        return queryset


@admin.register(Inquiry)
class InquiryAdmin(AccessAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The queue: open inquiries first by due time; the thread below each one's details.

    The details are read-only: inquiries come from members, or from staff through "enter"
    (phone, letter, e-mail), and every change goes through the forms under the thread.
    """

    list_display = (
        "number", "title", "member", "company", "product", "category", "status", "assignee",
        "due", "is_complaint",
    )  # fmt: skip
    list_display_links = ("number", "title")
    list_filter = ("status", "category", "product", AssigneeFilter, OverdueFilter, "is_complaint")
    list_select_related = ("member", "product", "assignee")
    search_fields = ("number", "title", "member__username", "member__company")
    ordering = ("-last_activity_at",)
    list_per_page = 50
    actions = ["assign_to_me"]
    change_form_template = "admin/support/inquiry/change_form.html"
    change_list_template = "admin/support/inquiry/change_list.html"
    fields = (
        "number", "member", "product", "category", "title", "status", "is_complaint", "channel",
        "entered_by", "assignee", "follow_up_of", "created_at", "first_response_due_at",
        "first_response_at", "resolved_at", "closed_at", "rating", "rating_comment",
    )  # fmt: skip

    def get_queryset(self, request):
        return selectors.with_overdue(super().get_queryset(request))

    @admin.display(description=_("company"), ordering="member__company")
    def company(self, obj):
        return obj.member.company

    @admin.display(description=_("first answer due"), ordering="first_response_due_at")
    def due(self, obj):
        due = timezone.localtime(obj.first_response_due_at).strftime("%Y-%m-%d %H:%M")
        if obj.overdue:
            return format_html('<strong class="errornote">{} {}</strong>', gettext("OVERDUE"), due)
        return due

    def has_assign_permission(self, request):
        return request.user.has_perm(CHANGE)

    @admin.action(description=_("Assign the selected inquiries to me"), permissions=["assign"])
    def assign_to_me(self, request, queryset):
        for inquiry in queryset:
            services.update_by_staff(
                inquiry=inquiry, staff=request.user, assignee=request.user, ip=client_ip(request)
            )
        self.message_user(request, gettext("Assigned to you."))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("enter/", self.enter_view, "enter"),
            ("<int:object_id>/reply/", self.reply_view, "reply"),
            ("<int:object_id>/update/", self.update_view, "update"),
            ("<int:object_id>/files/<int:file_id>/", self.file_view, "file"),
        ]
        return [
            path(route, self.admin_site.admin_view(view), name="{}_{}_".format(*info) + name)
            for route, view, name in views
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                thread=selectors.thread(obj, internal=True),
                history=selectors.status_history(obj),
                can_change=request.user.has_perm(CHANGE),
                reply_form=StaffReplyForm(prefix="reply"),
                update_form=StaffUpdateForm(inquiry=obj, prefix="update"),
                tools=[
                    tool
                    for tool in hooks.inquiry_tools(inquiry=obj, user=request.user)
                    if tool is not None
                ],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _changeable(self, request, object_id) -> Inquiry:
        if not request.user.has_perm(CHANGE) or request.method != "POST":
            raise PermissionDenied
        return get_object_or_404(Inquiry.objects.select_related("member"), pk=object_id)

    def _back(self, inquiry):
        return redirect(reverse("admin:support_inquiry_change", args=[inquiry.pk]))

    def reply_view(self, request, object_id):
        """An answer to the member or an internal note."""
        inquiry = self._changeable(request, object_id)
        form = StaffReplyForm(request.POST, request.FILES, prefix="reply")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return self._back(inquiry)
        try:
            services.staff_reply(
                inquiry=inquiry,
                staff=request.user,
                body=form.message(lambda url: uri_to_iri(request.build_absolute_uri(url))),
                internal=form.cleaned_data["internal"],
                attachments=form.cleaned_data["attachments"],
                ip=client_ip(request),
            )
        except InquiryClosed:
            self.message_user(request, gettext("A closed inquiry takes no answer."), messages.ERROR)
        else:
            self.message_user(request, gettext("Saved."))
        return self._back(inquiry)

    def update_view(self, request, object_id):
        """Status, assignee, complaint record."""
        inquiry = self._changeable(request, object_id)
        form = StaffUpdateForm(request.POST, inquiry=inquiry, prefix="update")
        if form.is_valid():
            services.update_by_staff(
                inquiry=inquiry,
                staff=request.user,
                status=form.cleaned_data["status"],
                assignee=form.cleaned_data["assignee"],
                is_complaint=form.cleaned_data["is_complaint"],
                ip=client_ip(request),
            )
            self.message_user(request, gettext("Saved."))
        else:
            self.message_user(request, gettext("Nothing was changed."), messages.ERROR)
        return self._back(inquiry)

    def file_view(self, request, object_id, file_id):
        """An attachment for staff, internal notes' included; the download is an access."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = get_object_or_404(
            Attachment.objects.select_related("inquiry"), pk=file_id, inquiry_id=object_id
        )
        audit.record_member_access(
            staff=request.user,
            ip=client_ip(request),
            action=AccessRecord.Action.VIEW,
            member=item.member,
            detail=f"inquiry {item.inquiry.number} file",
        )
        return attachment_response(item)

    def enter_view(self, request):
        """An inquiry received by phone, letter or e-mail, entered for the member."""
        if not request.user.has_perm("support.add_inquiry"):
            raise PermissionDenied
        form = StaffInquiryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            inquiry = services.open_inquiry(
                member=data["member"],
                product=data["product"],
                category=data["category"],
                title=data["title"],
                body=data["body"],
                channel=data["channel"],
                entered_by=request.user,
                ip=client_ip(request),
            )
            return self._back(inquiry)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Enter an inquiry received by phone, letter or e-mail"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/support/inquiry/enter.html", context)


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "active")
    list_filter = ("active",)
    search_fields = ("title", "body")
