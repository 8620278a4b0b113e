"""Admin of what the privacy app publishes: policy versions and notices.

Members' consents, requests and disclosures are staff work on personal data: their admin is in
``staff.admin``, where every view writes its access record.
"""

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import hooks, services
from privacy.exceptions import PolicyRefused
from privacy.models import Notice, PolicyVersion
from privacy.rendering import diff_lines, render_markdown
from privacy.selectors import version_before


class PolicyVersionAnnounceForm(forms.ModelForm):
    """Announcing from admin obeys the same notice rule as the command (policy §12)."""

    class Meta:
        model = PolicyVersion
        fields = [
            "label", "title", "body", "summary", "material", "requires_consent", "effective_at",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.check_announcement(
                label=cleaned["label"],
                effective_at=cleaned["effective_at"],
                material=cleaned["material"],
                now=timezone.now(),
            )
        except PolicyRefused as error:
            raise forms.ValidationError(str(error), code="refused") from error
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = (
        "label", "title", "announced_at", "effective_at", "material", "requires_consent",
        "withdrawn_at",
    )  # fmt: skip
    list_filter = ("material",)
    search_fields = ("label", "title")
    actions = ["withdraw"]
    readonly_fields = (
        *PolicyVersion.IMMUTABLE_FIELDS,
        "announced_by",
        "withdrawn_at",
        "preview",
        "changes",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PolicyVersionAnnounceForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # An announced version is evidence of what members were told: nothing of it changes.
        return self.readonly_fields if obj else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return PolicyVersionAnnounceForm.Meta.fields
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.announce_policy_version(version=obj, announced_by=request.user)

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        return render_markdown(obj.body).body

    @admin.display(description=_("Changes from the previous version"))
    def changes(self, obj):
        previous = version_before(obj)
        if previous is None:
            return "—"
        return render_to_string(
            "privacy/includes/diff_table.html",
            {"old": previous, "new": obj, "lines": diff_lines(previous.body, obj.body)},
        )

    @admin.action(description=_("Withdraw the selected versions (not yet in force)"))
    def withdraw(self, request, queryset):
        for version in queryset:
            try:
                services.withdraw_policy_version(version=version)
            except PolicyRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(label)s was withdrawn and a notice published.")
                    % {"label": version.label},
                )


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "published_at", "pinned", "policy_version")
    list_filter = ("pinned",)
    # Nullable, so admin's automatic select_related would leave it out.
    list_select_related = ("policy_version",)
    search_fields = ("title", "body")
    readonly_fields = ("policy_version", "preview")
    fields = ("title", "body", "published_at", "pinned", "policy_version", "preview")

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        return render_markdown(obj.body).body if obj.pk else "—"

    def hold(self, obj) -> str | None:
        """Why an app above keeps the notice up (a breach's public notice), asked once per page."""
        if obj is None or obj.pk is None:
            return None
        if not hasattr(obj, "_hold"):
            obj._hold = next((reason for reason in hooks.notice_holds(obj) if reason), None)
        return obj._hold

    def get_readonly_fields(self, request, obj=None):
        if self.hold(obj):
            return (*self.readonly_fields, "published_at", "pinned")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return not self.hold(obj) and super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if reason := self.hold(obj):
            messages.warning(request, reason)
        return super().render_change_form(request, context, add, change, form_url, obj)
