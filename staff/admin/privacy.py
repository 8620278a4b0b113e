"""The admin of members' consents, their requests (policy §7) and the disclosure register (§3).

All of it is personal data handled by staff, so every view writes its access record.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from privacy import selectors, services
from privacy.models import (
    Consent,
    CorrectionNotice,
    DisclosedMember,
    Disclosure,
    PrivacyRequest,
)
from staff.admin.audit import AccessAuditedAdmin
from staff.forms import MemberByIdField


@admin.register(Consent)
class ConsentAdmin(AccessAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("given_at", "member", "policy_version", "kind", "ip")
    list_filter = ("kind", "policy_version")
    list_select_related = ("member", "policy_version")
    # A row per member and version: a filtered list counts its own rows, not the table too.
    show_full_result_count = False


# --- Members' requests (policy §7) and the disclosure register (policy §3) ----------------------


class PrivacyRequestForm(forms.ModelForm):
    """A request received by letter, phone or e-mail, checked as the site checks a member's."""

    member = MemberByIdField(label=_("Member ID"))

    class Meta:
        model = PrivacyRequest
        fields = ["member", "kind", "channel", "received_at", "details", "objects_to"]

    def clean(self):
        data = super().clean()
        if data.get("member") and data.get("kind") and data.get("received_at"):
            try:
                services.check_request(
                    member=data["member"],
                    kind=data["kind"],
                    objects_to=data.get("objects_to"),
                    received_at=data["received_at"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class PrivacyAnswerForm(forms.ModelForm):
    """The answer to a request: what was received stays as it was received."""

    class Meta:
        model = PrivacyRequest
        fields = ["status", "resolution"]

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status is None:
            return data
        # The instance still holds the stored values here: the form's are put on it after.
        if status == self.instance.status == PrivacyRequest.Status.OPEN:
            if "resolution" in self.changed_data:
                self.add_error(
                    "resolution",
                    _("An answer is saved with its outcome: choose resolved or refused."),
                )
            return data
        try:
            services.check_answer(
                request=self.instance, status=status, resolution=data.get("resolution", "")
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ServiceRefusalAsMessage:
    """A rule the form checked may still fail in the service, when another request changed the
    data in between: the page then says why and shows the form again, rather than a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("open", _("Open, not yet due"))]

    def queryset(self, request, queryset):
        overdue = selectors.overdue_requests()
        if self.value() == "overdue":
            return queryset & overdue
        if self.value() == "open":
            return queryset & selectors.open_requests().exclude(pk__in=overdue.values("pk"))
        return queryset


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ServiceRefusalAsMessage, AccessAuditedAdmin, admin.ModelAdmin):
    """Policy §7: requests received by letter, phone, e-mail or web; overdue ones stand out.

    Adding one and answering it go through ``privacy.services``, under the rules members meet.
    """

    form = PrivacyRequestForm
    list_display = ("received_at", "member", "kind", "channel", "status", "deadline")
    list_filter = (
        OverdueFilter, "status", "kind", "channel", ("received_at", admin.DateFieldListFilter),
    )  # fmt: skip
    list_select_related = ("member",)
    search_fields = ("member__username",)
    raw_id_fields = ("objects_to",)
    readonly_fields = ("due_at", "resolved_at", "recorded_by")
    # What was received, and when, is what the deadline counts from: it stays as recorded.
    received = ("member", "kind", "channel", "received_at", "details", "objects_to")

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        return (*self.received, *fields) if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PrivacyAnswerForm if obj is not None else PrivacyRequestForm
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("due"), ordering="due_at")
    def deadline(self, obj):
        due = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        if obj.is_overdue():
            return format_html('<strong class="errornote">{} {}</strong>', gettext("OVERDUE"), due)
        return due

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            recorded = services.record_request(
                member=obj.member,
                kind=obj.kind,
                channel=obj.channel,
                details=obj.details,
                objects_to=obj.objects_to,
                received_at=obj.received_at,
                recorded_by=request.user,
            )
            obj.pk = recorded.pk
            obj.refresh_from_db()
        elif obj.status != PrivacyRequest.Status.OPEN:
            services.resolve_request(
                request=obj,
                resolution=obj.resolution,
                refused=obj.status == PrivacyRequest.Status.REFUSED,
            )
        elif "status" in form.changed_data:
            services.reopen_request(request=obj)
        self.audit_save(request, obj, form, change)


class DisclosureForm(forms.ModelForm):
    member_ids = forms.CharField(
        label=_("Member IDs"),
        help_text=_("The IDs of the members whose data were provided, separated by spaces."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Disclosure
        fields = [
            "recipient", "basis", "statute", "items", "disclosed_at", "withhold_from_member",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["member_ids"] = " ".join(
                self.instance.entries.order_by("member__username").values_list(
                    "member__username", flat=True
                )
            )

    def clean_member_ids(self):
        ids = {
            part.strip().lower()
            for part in self.cleaned_data["member_ids"].replace(",", " ").split()
        }
        members = list(
            get_user_model().objects.filter(username__in=ids, is_staff=False, is_superuser=False)
        )
        unknown = ids - {member.username for member in members}
        if unknown:
            raise forms.ValidationError(
                _("No member has these IDs: %(ids)s"), params={"ids": ", ".join(sorted(unknown))}
            )
        named = (
            set(self.instance.entries.values_list("member_id", flat=True))
            if self.instance.pk
            else set()
        )
        services.check_disclosed_members(member for member in members if member.pk not in named)
        return members

    def clean(self):
        data = super().clean()
        if data.get("basis") == Disclosure.Basis.STATUTE and not data.get("statute"):
            self.add_error("statute", _("Name the statute and the case number."))
        return data


@admin.register(Disclosure)
class DisclosureAdmin(ServiceRefusalAsMessage, AccessAuditedAdmin, admin.ModelAdmin):
    """Policy §3: every provision to a third party, its legal basis and whose data went."""

    form = DisclosureForm
    list_display = ("disclosed_at", "recipient", "basis", "statute", "items", "member_count")
    list_filter = ("basis", "withhold_from_member", ("disclosed_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "statute", "entries__member__username")
    readonly_fields = ("recorded_by",)

    def get_queryset(self, request):
        # Counted in the list's own query, as a subquery so the list's row count skips it.
        counts = (
            DisclosedMember.objects.filter(disclosure=OuterRef("pk"))
            .order_by()
            .values("disclosure")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(member_total=Coalesce(Subquery(counts), 0))

    def audited_member_pks(self, objects):
        return list(
            DisclosedMember.objects.filter(disclosure__in=[obj.pk for obj in objects]).values_list(
                "member_id", flat=True
            )
        )

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        members = form.cleaned_data["member_ids"]
        if change:
            services.update_disclosure(disclosure=obj, members=members)
        else:
            recorded = services.record_disclosure(
                recipient=obj.recipient,
                basis=obj.basis,
                statute=obj.statute,
                items=obj.items,
                members=members,
                withhold_from_member=obj.withhold_from_member,
                disclosed_at=obj.disclosed_at,
                recorded_by=request.user,
            )
            obj.pk = recorded.pk
            obj.refresh_from_db()
        # After the members are saved, so that the access record names them.
        self.audit_save(request, obj, form, change)


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    """Policy §7: recipients to tell of a member's correction, and when they were told."""

    list_display = ("corrected_at", "recipient", "member", "fields", "notified_at", "notified_by")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("entry__disclosure", "entry__member", "notified_by")
    actions = ["record_notified"]

    def audited_member_pks(self, objects):
        return [obj.entry.member_id for obj in objects]

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.entry.disclosure.recipient

    @admin.display(description=_("member"))
    def member(self, obj):
        return obj.entry.member

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("entry", "corrected_at", "fields", "notified_at", "notified_by")

    @admin.action(description=_("Record that the recipients were told"), permissions=["change"])
    def record_notified(self, request, queryset):
        pending = list(queryset.filter(notified_at__isnull=True))
        for notice in pending:
            services.record_notification(notice=notice, notified_by=request.user)
        self.message_user(
            request, gettext("%(count)d notification(s) recorded.") % {"count": len(pending)}
        )
