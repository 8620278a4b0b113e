"""Forms of the staff pages and of the staff's admin screens."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import Permission
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.forms import PasswordField
from accounts.models import IdentityVerification, Product, User
from staff.models import AccessRecord, AccessReviewSignOff
from staff.roles import role_label
from staff.selectors.dashboard import DAY_CHOICES, MONTH_CHOICES, MONTHS, VISIT_DAYS
from staff.validators import validate_download_reason


class StaffLoginForm(AdminAuthenticationForm):
    """The admin login, with the same password length limit as every other password form."""

    password = PasswordField(label=_("Password"), autocomplete="current-password")


MONTH = r"\A\d{4}-(0[1-9]|1[0-2])\Z"


def _first_day(month: str) -> datetime.date:
    """The first day of a month written ``YYYY-MM`` (the fields' ``MONTH`` pattern)."""
    year, number = month.split("-")
    return datetime.date(int(year), int(number), 1)


class MonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Month (YYYY-MM)"),
        regex=MONTH,
        required=False,
        # The browser's month picker sends YYYY-MM; without one it is a text field.
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def month_date(self) -> datetime.date:
        value = self.cleaned_data.get("month") if self.is_valid() else None
        if value:
            return _first_day(value)
        today = timezone.localdate()
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1)


class SignOffForm(forms.Form):
    """The privacy officer's sign-off of a month's access review (고시 제8조)."""

    month = forms.RegexField(regex=MONTH, widget=forms.HiddenInput)
    remarks = forms.CharField(
        label=_("Remarks"),
        required=False,
        max_length=AccessReviewSignOff._meta.get_field("remarks").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the review found and what was done about it."),
    )

    def __init__(self, *args, **kwargs):
        # Shown below the month chooser, whose ``month`` field would otherwise share its id.
        kwargs.setdefault("auto_id", "sign_off_%s")
        super().__init__(*args, **kwargs)

    def month_date(self) -> datetime.date:
        return _first_day(self.cleaned_data["month"])


class DownloadReasonForm(forms.Form):
    """고시 제8조: staff say why before personal data is downloaded; kept on the access record.

    ``post`` marks the form's own submission, so that the first request (an admin action
    chosen in the list) shows the form without errors.
    """

    reason = forms.CharField(
        label=_("Reason for the download"),
        max_length=AccessRecord._meta.get_field("reason").max_length,
        validators=[validate_download_reason],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the file is needed for. It is kept with the access record and read in the "
            "monthly access review."
        ),
    )

    @classmethod
    def from_request(cls, request) -> DownloadReasonForm:
        return cls(request.POST if request.POST.get("post") == "yes" else None)


class DashboardRangeForm(forms.Form):
    """The periods the dashboard draws; anything else falls back to the defaults."""

    months = forms.TypedChoiceField(
        label=_("Sign-ups and withdrawals over"),
        choices=[(n, _("%(n)d months") % {"n": n}) for n in MONTH_CHOICES],
        coerce=int,
        required=False,
    )
    days = forms.TypedChoiceField(
        label=_("Visits over"),
        choices=[(n, _("%(n)d days") % {"n": n}) for n in DAY_CHOICES],
        coerce=int,
        required=False,
    )

    def period(self) -> dict[str, int]:
        chosen = self.cleaned_data if self.is_valid() else {}
        return {"months": chosen.get("months") or MONTHS, "days": chosen.get("days") or VISIT_DAYS}


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"\A\d{6}\Z",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CallerVerificationForm(forms.Form):
    """What staff ask a caller before issuing a reset code (policy §7 본인 확인)."""

    company = forms.CharField(label=_("Company"), max_length=100)
    project = forms.CharField(label=_("Project"), max_length=100)
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), label=_("Product in use"), to_field_name="slug"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=IdentityVerification.Channel.choices)


class FlagForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)
    suspend = forms.BooleanField(label=_("Also suspend the account"), required=False)


class MemberByIdField(forms.ModelChoiceField):
    """Staff name a member by ID; staff accounts are not members. ``queryset`` narrows it."""

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": _("No member has this ID.")})
        super().__init__(
            queryset=User.objects.filter(is_staff=False, is_superuser=False)
            if queryset is None
            else queryset,
            to_field_name="username",
            widget=forms.TextInput,
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


# --- Roles and permissions as staff read them --------------------------------------------------

# Django stores permission names in English ("Can view member"); these, and the model's own
# translated names, say the same in the reader's language.
_DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """App, model and what the permission allows: "회원 | 회원 | 회원 보기"."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == opts.model_name and action in _DEFAULT_PERMISSION_NAMES:
        name = _DEFAULT_PERMISSION_NAMES[action] % {"model": opts.verbose_name}
    else:
        name = dict(opts.permissions).get(permission.codename, permission.name)
    return " | ".join(
        str(capfirst(part)) for part in (opts.app_config.verbose_name, opts.verbose_name, name)
    )


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class RolesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return role_label(obj.name)
