"""Support contracts, their tiers and payments in admin (contract managers and the officer).

Every save goes through selfservice.services.contracts, which keeps the change with the
contract; the page that links members to a contract lists members and so writes access records.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.http import client_ip
from selfservice.exceptions import DuplicateNumber
from selfservice.models import Contract, ContractChange, Coverage, Payment, Tier
from selfservice.selectors import contracts as selectors
from selfservice.services import contracts as services
from staff.models import AccessRecord
from staff.services import audit
from support.forms import visible_text

CHANGE = "selfservice.change_contract"


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "hours_defect", "hours_complaint", "hours_question", "hours_request")

    def has_delete_permission(self, request, obj=None):
        # A tier in use by a contract is protected; an unused one is simply left alone.
        return False


class ReadOnlyInline(admin.TabularInline):
    """Shown with the contract; written only through their own pages and the services."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("invoice_number", "amount", "issued_on", "paid_on")
    readonly_fields = fields
    verbose_name_plural = _("payments (change them on the payments page)")


class CoverageInline(ReadOnlyInline):
    model = Coverage
    fields = ("member_id_shown", "linked_at", "linked_by", "unlinked_at")
    readonly_fields = fields
    verbose_name_plural = _("covered members (link and unlink on the members page)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "linked_by")

    @admin.display(description=_("member ID"))
    def member_id_shown(self, obj):
        return obj.member.username


class ContractChangeInline(ReadOnlyInline):
    model = ContractChange
    fields = ("time", "changed_by_username", "change")
    readonly_fields = fields


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ("number", "company", "project", "products", "tier", "starts_on", "ends_on",
                  "status")  # fmt: skip

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", gettext("The end date cannot be before the start date."))
        return data


class MemberSearchForm(forms.Form):
    """The covered-members page's search: checked before it reaches a query or an access
    record (PostgreSQL refuses a NUL in either)."""

    q = forms.CharField(required=False, max_length=100, validators=[visible_text])


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractForm
    list_display = ("number", "company", "project", "tier", "starts_on", "ends_on", "status",
                    "covered")  # fmt: skip
    list_filter = ("status", "tier")
    list_select_related = ("tier",)
    search_fields = ("number", "company", "project")
    inlines = (CoverageInline, PaymentInline, ContractChangeInline)
    change_form_template = "admin/selfservice/contract/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                covered_count=Count("coverages", filter=Q(coverages__unlinked_at__isnull=True))
            )
        )

    @admin.display(description=_("members covered"), ordering="covered_count")
    def covered(self, obj):
        return obj.covered_count

    def has_delete_permission(self, request, obj=None):
        # Contract records are kept five years from the end (policy §5); the purge removes them.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except DuplicateNumber:
            self.message_user(
                request,
                gettext("Another contract with this number was saved at the same moment."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        # The page lists the members the contract covers: a view of their data (a POST answered
        # with the page again, for invalid input, shows them too).
        if object_id and response.status_code == 200:
            members = Coverage.objects.filter(contract_id=object_id).values_list(
                "member_id", flat=True
            )
            if members:
                audit.record_access(
                    staff=request.user,
                    ip=client_ip(request),
                    action=AccessRecord.Action.VIEW,
                    members=list(members),
                    target="selfservice.contract",
                    detail=f"contract {object_id}",
                )
        return response

    def save_model(self, request, obj, form, change):
        # Saved with its products in save_related, through the service that keeps the change.
        pass

    def save_related(self, request, form, formsets, change):
        services.save_contract(
            contract=form.instance, products=form.cleaned_data["products"], by=request.user
        )
        # The inlines are read-only: saving them writes nothing, but admin's history reads them.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/members/",
                self.admin_site.admin_view(self.members_view),
                name="{}_{}_members".format(*info),
            )
        ] + super().get_urls()

    def members_view(self, request, object_id):
        """Who the contract covers, and the members who may belong to it, to link or unlink."""
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        contract = get_object_or_404(Contract, pk=object_id)
        back = reverse("admin:selfservice_contract_members", args=[contract.pk])
        if request.method == "POST":
            self._link_or_unlink(request, contract)
            return redirect(back)
        search_form = MemberSearchForm(request.GET)
        search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
        covered = list(selectors.covered_now(contract))
        candidates = list(selectors.likely_members(contract, search=search))
        audit.record_access(
            staff=request.user,
            ip=client_ip(request),
            action=AccessRecord.Action.LIST,
            members=[c.member_id for c in covered] + [m.pk for m in candidates],
            target="selfservice.coverage",
            detail=f"contract {contract.number}" + (f" q={search}" if search else ""),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Members covered by %(number)s") % {"number": contract.number},
            "opts": self.opts,
            "contract": contract,
            "covered": covered,
            "candidates": candidates,
            "search": search,
            "search_form": search_form,
        }
        return TemplateResponse(request, "admin/selfservice/contract/members.html", context)

    def _link_or_unlink(self, request, contract) -> None:
        action, pk = request.POST.get("action"), request.POST.get("pk", "")
        # ASCII digits only: "²" is a digit to str.isdigit() and not a number to int().
        if not (pk.isascii() and pk.isdigit()):
            self.message_user(request, gettext("Choose a member."), messages.ERROR)
            return
        if action == "link":
            member = selectors.linkable_members().filter(pk=pk).first()
            if member is None:
                self.message_user(request, gettext("That member cannot be linked."), messages.ERROR)
                return
            services.link_member(
                contract=contract, member=member, by=request.user, ip=client_ip(request)
            )
            self.message_user(request, gettext("Linked."))
        elif action == "unlink":
            coverage = Coverage.objects.filter(pk=pk, contract=contract).first()
            if coverage is None:
                self.message_user(request, gettext("That link does not exist."), messages.ERROR)
                return
            services.unlink_member(coverage=coverage, by=request.user, ip=client_ip(request))
            self.message_user(request, gettext("Unlinked."))
        else:
            self.message_user(request, gettext("Nothing was changed."), messages.ERROR)


class PaymentForm(forms.ModelForm):
    amount = forms.IntegerField(label=_("amount (KRW)"), min_value=1, max_value=10**15)

    class Meta:
        model = Payment
        fields = ("contract", "invoice_number", "amount", "issued_on", "paid_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].required = True

    def clean(self):
        data = super().clean()
        issued_on, paid_on = data.get("issued_on"), data.get("paid_on")
        if issued_on and paid_on and paid_on < issued_on:
            self.add_error("paid_on", gettext("A payment cannot be made before its invoice."))
        return data


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    form = PaymentForm
    list_display = ("invoice_number", "contract_number", "amount", "issued_on", "paid_on")
    list_filter = (("paid_on", admin.EmptyFieldListFilter),)
    search_fields = ("invoice_number", "contract_number")
    autocomplete_fields = ("contract",)

    def has_change_permission(self, request, obj=None):
        # A payment whose contract is already destroyed is kept as it is until its own period ends.
        if obj is not None and obj.contract_id is None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DuplicateNumber:
            self.message_user(
                request,
                gettext("Another payment with this invoice number was saved at the same moment."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        services.save_payment(payment=obj, by=request.user)
