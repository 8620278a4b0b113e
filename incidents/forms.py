"""Forms of the incident's admin page: who is affected, and when the report was sent."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product
from core.dates import local_midnight
from incidents import services

# The longest list of IDs a form takes: a larger group is chosen by product or by access.
MAX_IDS_LENGTH = 100_000


class StaffByIdField(forms.ModelChoiceField):
    """A staff account named by its ID, open or closed: its access records outlive it."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=get_user_model().objects.filter(is_staff=True),
            to_field_name="username",
            widget=forms.TextInput,
            error_messages={"invalid_choice": _("No staff account has this ID.")},
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


class AffectedSelectionForm(forms.Form):
    """How the officer chooses the affected members (``services.select_affected``)."""

    scope = forms.ChoiceField(
        label=_("Affected members"),
        widget=forms.RadioSelect,
        choices=[
            (services.SCOPE_ALL, _("Every member")),
            (services.SCOPE_PRODUCT, _("The members of a product")),
            (
                services.SCOPE_ACCESSED,
                _("The members whose records a staff account accessed in a period"),
            ),
            (services.SCOPE_IDS, _("A list of member IDs")),
        ],
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False
    )
    staff = StaffByIdField(label=_("Staff ID"), required=False)
    since = forms.DateField(label=_("From (day)"), required=False)
    until = forms.DateField(label=_("To (day, included)"), required=False)
    usernames = forms.CharField(
        label=_("Member IDs"),
        help_text=_("Separated by spaces, commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_IDS_LENGTH,
        required=False,
    )

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == services.SCOPE_PRODUCT and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        if scope == services.SCOPE_ACCESSED:
            if not data.get("staff") and "staff" not in self.errors:
                self.add_error("staff", _("Enter the staff account's ID."))
            since, until = data.get("since"), data.get("until")
            if not since and "since" not in self.errors:
                self.add_error("since", _("Enter the first day."))
            if not until and "until" not in self.errors:
                self.add_error("until", _("Enter the last day."))
            if since and until and since > until:
                self.add_error("until", _("The last day cannot come before the first."))
        if scope == services.SCOPE_IDS and not self.member_ids():
            self.add_error("usernames", _("Enter at least one member ID."))
        return data

    def member_ids(self) -> list[str]:
        return self.cleaned_data.get("usernames", "").replace(",", " ").split()

    def selection(self) -> dict:
        """The keyword arguments of ``select_affected``, the days as local midnights."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return {
            "scope": data["scope"],
            "product": data.get("product"),
            "staff": data.get("staff"),
            "since": since and local_midnight(since),
            "until": until and local_midnight(until + datetime.timedelta(days=1)),
            "usernames": self.member_ids(),
        }


class ReportSentForm(forms.Form):
    sent_at = forms.DateTimeField(label=_("Report sent at"), initial=timezone.now)
