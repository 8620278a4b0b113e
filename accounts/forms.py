"""Forms of the member pages. Field names are public (CONTRACT.md)."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import hooks
from accounts.models import Product, User
from accounts.validators import PASSWORD_MAX_LENGTH, normalize_member_id
from privacy.models import DETAILS_LENGTH, PrivacyRequest
from privacy.selectors import objectionable_requests

# Django's own Korean sentence for this ("…인지 확인하세요(입력값 25 자)") reads as a machine's.
MAX_LENGTH_MESSAGE = _("Enter at most %(limit_value)d characters (you entered %(show_value)d).")


# An ID held by a withdrawn member whose records are kept is "in use" too (policy §5 나).
ID_TAKEN = _("This ID is already in use.")


def member_password_help() -> str:
    """The password rules a member must meet, without those that bind staff accounts only."""
    rules = [
        validator.get_help_text()
        for validator in password_validation.get_default_password_validators()
        if getattr(validator, "applies_to_members", True)
    ]
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in rules)))


def _matching_passwords(form: forms.Form, first: str, second: str) -> str | None:
    """The new password typed twice into ``first`` and ``second``, or None.

    When both are given and differ, the error goes on ``second`` and None is returned.
    """
    password1, password2 = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if password1 and password2 and password1 != password2:
        form.add_error(
            second,
            forms.ValidationError(_("The two passwords do not match."), code="password_mismatch"),
        )
        return None
    return password2


class PasswordField(forms.CharField):
    """A password as typed: never stripped, and at most ``PASSWORD_MAX_LENGTH`` characters, so
    that no form hashes a 100 KB one."""

    default_error_messages = {"max_length": MAX_LENGTH_MESSAGE}

    def __init__(self, *, autocomplete: str, autofocus: bool = False, **kwargs):
        attrs = {"autocomplete": autocomplete, **({"autofocus": True} if autofocus else {})}
        super().__init__(
            strip=False,
            max_length=PASSWORD_MAX_LENGTH,
            widget=forms.PasswordInput(attrs=attrs),
            **kwargs,
        )


class MemberIdField(forms.CharField):
    """The ID, normalised before validation so that ``Kim.A`` is checked and stored as ``kim.a``."""

    default_error_messages = {"max_length": MAX_LENGTH_MESSAGE}

    def to_python(self, value):
        return normalize_member_id(super().to_python(value))


class ProductChoiceField(forms.ModelChoiceField):
    """A ``<select>`` of product slugs; anything else is refused as an invalid choice."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Product.objects.filter(active=True),
            to_field_name="slug",
            empty_label=_("Choose the product you use"),
            label=_("Product in use"),
            **kwargs,
        )


class MemberFieldsForm(forms.ModelForm):
    """Company, project and product: the member items a member may correct (policy §7)."""

    required_css_class = "required"

    product = ProductChoiceField()

    class Meta:
        model = User
        fields = ["company", "project", "product"]
        labels = {"company": _("Company"), "project": _("Project")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("company", "project"):
            self.fields[name].required = True
        for field in self.fields.values():
            field.error_messages["max_length"] = MAX_LENGTH_MESSAGE
        current = self.instance.product
        if current is not None:
            # The select is keyed by slug, while the instance holds the primary key.
            self.initial["product"] = current.slug
            # A product withdrawn from the catalog stays selectable for members who use it.
            self.fields["product"].queryset = Product.objects.filter(active=True) | (
                Product.objects.filter(pk=current.pk)
            )

    def clean_company(self):
        return unicodedata.normalize("NFC", self.cleaned_data["company"])

    def clean_project(self):
        return unicodedata.normalize("NFC", self.cleaned_data["project"])


class SignupForm(MemberFieldsForm):
    """회원가입: exactly the items of policy §1 가, and the two required agreements."""

    password1 = PasswordField(
        label=_("Password"),
        autocomplete="new-password",
        help_text=member_password_help,
    )
    password2 = PasswordField(label=_("Password (again)"), autocomplete="new-password")
    agree_policy = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as described."),
        error_messages={"required": _("You must agree to the privacy policy to sign up.")},
    )
    adult = forms.BooleanField(
        label=_("I am not a minor (19 years of age or older)."),
        error_messages={
            "required": _(
                "The support center does not collect minors' personal information (policy §7)."
            )
        },
    )

    class Meta(MemberFieldsForm.Meta):
        fields = ["username", "company", "project", "product"]
        labels = {**MemberFieldsForm.Meta.labels, "username": _("ID")}
        help_texts = {"username": _("4 to 20 characters: a–z, 0–9, _ - .")}
        field_classes = {"username": MemberIdField}
        error_messages = {"username": {"unique": ID_TAKEN}}

    field_order = [
        "username",
        "password1",
        "password2",
        "company",
        "project",
        "product",
        "agree_policy",
        "adult",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)

    def clean_username(self):
        username = self.cleaned_data["username"]
        # Policy §5 나: a withdrawn member's ID stays theirs while their contract record is kept
        # in the archive, so it is refused with the same message as an ID in use.
        if hooks.id_reserved(username):
            raise self.id_taken_error()
        return username

    @staticmethod
    def id_taken_error() -> forms.ValidationError:
        """The one answer to an ID that is not free: in use, held by an archived member, or
        taken by a sign-up that won a race for it."""
        return forms.ValidationError(ID_TAKEN, code="unique")

    def clean(self):
        cleaned = super().clean()
        _matching_passwords(self, "password1", "password2")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password and "password2" not in self.errors:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                # The rules are about the password, not its repetition: the error goes there.
                self.add_error("password1", error)


class LoginForm(AuthenticationForm):
    password = PasswordField(label=_("Password"), autocomplete="current-password")

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The ID or password is not correct."),
    }


class PasswordConfirmationForm(forms.Form):
    """본인 확인: the member's current password, checked through the lockout-aware backends."""

    password = PasswordField(label=_("Password"), autocomplete="current-password", autofocus=True)

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        member = authenticate(self.request, username=self.request.user.username, password=password)
        if member is None or member.pk != self.request.user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password


class WithdrawForm(PasswordConfirmationForm):
    confirm = forms.BooleanField(
        label=_("I understand that my account is closed at once and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class RefusalChoiceField(forms.ModelChoiceField):
    """One of the member's refusals, named by its kind and dates: never by anything they wrote."""

    def label_from_instance(self, obj):
        return _("%(kind)s, received %(received)s, refused %(refused)s") % {
            "kind": obj.get_kind_display(),
            "received": timezone.localtime(obj.received_at).strftime("%Y-%m-%d"),
            "refused": timezone.localtime(obj.resolved_at).strftime("%Y-%m-%d"),
        }


class PrivacyRequestForm(forms.Form):
    """A request under policy §7 made on the web; the rules are ``privacy.services``'."""

    kind = forms.ChoiceField(label=_("What do you ask for?"), choices=PrivacyRequest.Kind.choices)
    objects_to = RefusalChoiceField(
        label=_("The refusal you object to"),
        queryset=PrivacyRequest.objects.none(),
        required=False,
        empty_label=_("Choose a refused request"),
    )
    details = forms.CharField(
        label=_("Details"),
        max_length=DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you ask for: which data, what should be corrected and how, which processing "
            "should stop, or why you disagree with the refusal."
        ),
    )

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        refusals = objectionable_requests(member)
        if refusals.exists():
            self.fields["objects_to"].queryset = refusals
        else:
            # Nothing to object to: the choice is not offered at all.
            del self.fields["objects_to"]
            self.fields["kind"].choices = [
                choice for choice in PrivacyRequest.Kind.choices
                if choice[0] != PrivacyRequest.Kind.OBJECTION
            ]  # fmt: skip

    def clean(self):
        data = super().clean()
        # A refusal left chosen in the form belongs to an objection only.
        if data.get("kind") != PrivacyRequest.Kind.OBJECTION:
            data["objects_to"] = None
        return data


class ResetCodeForm(forms.Form):
    """A member sets a new password with the one-time code the support center gave them."""

    username = MemberIdField(label=_("ID"), max_length=20)
    code = forms.CharField(
        label=_("Reset code"),
        max_length=20,
        help_text=_("The code the support center read to you, e.g. ABCDE-FGH23."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    new_password1 = PasswordField(
        label=_("New password"),
        autocomplete="new-password",
        help_text=member_password_help,
    )
    new_password2 = PasswordField(label=_("New password (again)"), autocomplete="new-password")

    def clean(self):
        cleaned = super().clean()
        password = _matching_passwords(self, "new_password1", "new_password2")
        if password:
            member = User.objects.filter(username=cleaned.get("username", "")).first()
            try:
                password_validation.validate_password(password, member)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


class MemberPasswordChangeForm(PasswordChangeForm):
    old_password = PasswordField(
        label=_("Old password"), autocomplete="current-password", autofocus=True
    )
