"""The privacy officer's incident register (PIPA §34; 시행령 §39–40).

The incident's page shows the 72-hour clock, the counts and the report to copy, and takes the
selection of the affected members, the members' notification, the report's date and the close,
each through ``incidents.services``. Who was affected is personal data: its list writes the
access records like every list of members.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.http import client_ip
from incidents import selectors, services
from incidents.exceptions import IncidentRefused, UnknownMembers
from incidents.forms import AffectedSelectionForm, ReportSentForm
from incidents.models import AffectedMember, Incident
from staff.admin.audit import AccessAuditedAdmin
from staff.models import AccessRecord
from staff.services import audit

CHANGE_PERMISSION = "incidents.change_incident"


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "title", "discovered_at", "clock_state", "members_notified_at",
        "authority_report_sent_at", "closed_at",
    )  # fmt: skip
    list_filter = (("closed_at", admin.EmptyFieldListFilter),)
    search_fields = ("title",)
    fieldsets = (
        (None, {"fields": ("title", "discovered_at", "occurred_at")}),
        (
            _("What the members are told (PIPA §34)"),
            {
                "fields": (
                    "what_happened",
                    "items",
                    "cause",
                    "member_actions",
                    "containment",
                    "contact",
                )  # fmt: skip
            },
        ),
        (_("Report to the PIPC or KISA (시행령 §40)"), {"fields": ("sensitive", "intrusion")}),
        (
            _("Record"),
            {
                "fields": (
                    "members_notified_at",
                    "public_notice",
                    "authority_report_sent_at",
                    "created_by",
                    "created_at",
                    "closed_at",
                )  # fmt: skip
            },
        ),
    )
    readonly_fields = (
        "members_notified_at", "public_notice", "authority_report_sent_at", "created_by",
        "created_at", "closed_at",
    )  # fmt: skip
    change_form_template = "admin/incidents/incident/change_form.html"

    def get_queryset(self, request):
        return selectors.with_affected_count(super().get_queryset(request))

    @admin.display(description=_("72 hours"))
    def clock_state(self, obj):
        running = selectors.clock(obj, affected=obj.affected_total)
        if running.state == "overdue":
            return format_html('<strong class="errornote">{}</strong>', running.text)
        return running.text

    def get_changeform_initial_data(self, request):
        return {
            "discovered_at": timezone.now(),
            "contact": selectors.default_contact(),
            **super().get_changeform_initial_data(request),
        }

    def has_delete_permission(self, request, obj=None):
        # The register is the evidence of how a breach was handled.
        return False

    def save_model(self, request, obj, form, change):
        services.save_incident(incident=obj, by=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            numbers = selectors.counts(obj)
            context.update(
                clock=selectors.clock(obj, affected=numbers.affected),
                counts=numbers,
                reasons=selectors.report_reasons(obj, affected=numbers.affected),
                report_text=selectors.report_text(obj),
                can_change=request.user.has_perm(CHANGE_PERMISSION),
                selection_form=AffectedSelectionForm(),
                report_form=ReportSentForm(),
                affected_url=(
                    reverse("admin:incidents_affectedmember_changelist") + f"?incident={obj.pk}"
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("<int:object_id>/select/", self.select_view, "select"),
            ("<int:object_id>/notify/", self.notify_view, "notify"),
            ("<int:object_id>/report/", self.report_view, "report"),
            ("<int:object_id>/close/", self.close_view, "close"),
        ]
        return [
            path(route, self.admin_site.admin_view(view), name="{}_{}_".format(*info) + name)
            for route, view, name in views
        ] + super().get_urls()

    def _changeable(self, request, object_id) -> Incident:
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        return get_object_or_404(Incident, pk=object_id)

    def _back(self, incident: Incident):
        return redirect(reverse("admin:incidents_incident_change", args=[incident.pk]))

    def select_view(self, request, object_id):
        """Add affected members by one of the scopes; on a mistake the form comes back."""
        incident = self._changeable(request, object_id)
        form = AffectedSelectionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    selection = services.select_affected(incident=incident, **form.selection())
                    # The selection shows nobody; the list of affected members records whom
                    # it shows. This names the query, as a search that shows nobody does.
                    audit.record_access(
                        staff=request.user,
                        ip=client_ip(request),
                        action=AccessRecord.Action.ADD,
                        target=AffectedMember._meta.label_lower,
                        detail=f"incident={incident.pk} scope={form.cleaned_data['scope']} "
                        f"added={selection.added}",
                    )
            except UnknownMembers as error:
                form.add_error("usernames", str(error))
            except IncidentRefused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    gettext("%(added)d members added; the incident affects %(total)d.")
                    % {"added": selection.added, "total": selection.total},
                )
                return self._back(incident)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Select the members affected by %(incident)s")
            % {"incident": incident.title},
            "form": form,
            "original": incident,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/incidents/incident/select.html", context)

    def _act(self, request, object_id, action, done: str):
        """Run ``action(incident)`` for a POST, say ``done`` or why not, and go back."""
        incident = self._changeable(request, object_id)
        if request.method != "POST":
            return self._back(incident)
        try:
            action(incident)
        except IncidentRefused as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done)
        return self._back(incident)

    def notify_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            lambda incident: services.notify_members(incident=incident),
            gettext(
                "The affected members see the notice at their next login, and the public "
                "notice is pinned for 30 days."
            ),
        )

    def report_view(self, request, object_id):
        form = ReportSentForm(request.POST)

        def record(incident):
            if not form.is_valid():
                raise IncidentRefused(
                    " ".join(error for errors in form.errors.values() for error in errors)
                )
            services.record_report_sent(incident=incident, sent_at=form.cleaned_data["sent_at"])

        return self._act(request, object_id, record, gettext("The report's date was recorded."))

    def close_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            lambda incident: services.close_incident(incident=incident),
            gettext("The incident was closed."),
        )


class IncidentFilter(admin.SimpleListFilter):
    """The incident, from the register (a short table), not from the values in the list."""

    title = _("breach incident")
    parameter_name = "incident"

    def lookups(self, request, model_admin):
        return [(str(pk), title) for pk, title in Incident.objects.values_list("pk", "title")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isascii() and value.isdigit():
            return queryset.filter(incident_id=int(value))
        return queryset


@admin.register(AffectedMember)
class AffectedMemberAdmin(AccessAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who a breach affected and who acknowledged its notice: read-only, access-recorded."""

    list_display = ("member", "incident", "time", "acknowledged_at")
    list_filter = (IncidentFilter, ("acknowledged_at", admin.EmptyFieldListFilter))
    list_select_related = ("member", "incident")
    search_fields = ("member__username",)
    # The list may hold every member: a filtered list counts its own rows only.
    show_full_result_count = False
