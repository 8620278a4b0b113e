from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from retention import selectors
from retention.models import LegalHold, PurgeRun
from retention.services.holds import lift_hold, place_hold, revise_hold
from staff.admin.audit import AccessAuditedAdmin


class LegalHoldForm(forms.ModelForm):
    """Staff name the member by ID; the hold stores the stable key, valid after archiving too."""

    member_id = forms.CharField(
        label=_("Member ID"),
        help_text=_("The ID of an open, closed or archived member."),
    )

    class Meta:
        model = LegalHold
        fields = ["reason", "review_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["member_id"].disabled = True
            self.fields["member_id"].required = False
            self.initial["member_id"] = selectors.describe_member_key(self.instance.member_key)

    def clean_member_id(self):
        if self.instance.pk:
            return self.instance.member_key
        username = self.cleaned_data["member_id"].strip().lower()
        key = selectors.member_key_for_id(username)
        if key is None:
            raise forms.ValidationError(_("No member, open or archived, has this ID."))
        return key

    def save(self, commit=True):
        self.instance.member_key = self.cleaned_data["member_id"]
        return super().save(commit)


class HoldChangeList(ChangeList):
    """The list of holds, each knowing its member's ID: looked up for the page at once."""

    def get_results(self, request):
        super().get_results(request)
        ids = selectors.describe_member_keys(hold.member_key for hold in self.result_list)
        for hold in self.result_list:
            hold.member_id_shown = ids[hold.member_key]


@admin.register(LegalHold)
class LegalHoldAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    """Each hold names a member by ID: every list and page of them is an access record."""

    form = LegalHoldForm
    list_display = ("pk", "member", "review_on", "placed_by", "placed_at", "lifted_at")
    list_filter = (("lifted_at", admin.EmptyFieldListFilter),)
    list_select_related = ("placed_by",)
    readonly_fields = ("placed_by", "placed_at", "lifted_by", "lifted_at")
    actions = ["lift"]

    def audited_member_pks(self, holds):
        # An archived member has no row to name; the record then names the page's query.
        return list(selectors.holds_for(hold.member_key for hold in holds).pks)

    def get_changelist(self, request, **kwargs):
        return HoldChangeList

    @admin.display(description=_("member"))
    def member(self, hold):
        shown = getattr(hold, "member_id_shown", None)
        return shown if shown is not None else selectors.describe_member_key(hold.member_key)

    def save_model(self, request, obj, form, change):
        if change:
            revise_hold(hold=obj, reason=obj.reason, review_on=obj.review_on)
        else:
            placed = place_hold(
                member_key=obj.member_key,
                reason=obj.reason,
                review_on=obj.review_on,
                placed_by=request.user,
            )
            obj.pk = placed.pk
            obj.refresh_from_db()
        self.audit_save(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A hold is evidence of why records outlived their period: lift it, never delete it.
        return False

    @admin.action(description=_("Lift the selected holds"))
    def lift(self, request, queryset):
        holds = list(queryset.active())
        for hold in holds:
            lift_hold(hold=hold, lifted_by=request.user)
        self.message_user(request, _("%(count)d hold(s) lifted.") % {"count": len(holds)})


@admin.register(PurgeRun)
class PurgeRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "outcome", "archived_members", "counts")
    list_filter = ("outcome",)
