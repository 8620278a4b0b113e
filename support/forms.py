"""Forms of the support desk. Field names are public (CONTRACT.md)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import ProductChoiceField
from accounts.models import User
from staff.forms import MemberByIdField
from staff.roles import PRIVACY_HANDLER, SUPPORT_AGENT
from support import files, hooks
from support.models import CannedReply, Inquiry
from support.services import CheckedFile

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000
SUBMISSION_SALT = "support.submission"
SUBMISSION_MAX_AGE = 24 * 3600
# Line breaks and tabs belong in a message; other control characters, never.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def visible_text(value: str) -> None:
    if any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in _ALLOWED_CONTROLS
        for char in value
    ):
        raise ValidationError(
            _("Use visible characters only; control characters are not allowed."),
            code="unprintable",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """0 to ``SUPPORT_ATTACHMENTS_PER_MESSAGE`` files, each checked by its bytes (support.files).

    Cleans to a list of ``CheckedFile``; any file refused refuses them all, so nothing of the
    message is stored.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            _("Up to %(count)d files of at most %(size)s each: %(types)s.")
            % {
                "count": settings.SUPPORT_ATTACHMENTS_PER_MESSAGE,
                "size": filesizeformat(settings.SUPPORT_ATTACHMENT_MAX_BYTES),
                "types": ", ".join(files.ALLOWED_EXTENSIONS),
            },
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        if len(uploads) > settings.SUPPORT_ATTACHMENTS_PER_MESSAGE:
            raise ValidationError(
                ngettext(
                    "Attach at most %(count)d file.",
                    "Attach at most %(count)d files.",
                    settings.SUPPORT_ATTACHMENTS_PER_MESSAGE,
                )
                % {"count": settings.SUPPORT_ATTACHMENTS_PER_MESSAGE},
                code="too_many_files",
            )
        return [self._check(upload) for upload in uploads]

    def _check(self, upload) -> CheckedFile:
        name = upload.name or ""
        if not name or any(char in name for char in "/\\\x00") or name in (".", ".."):
            raise ValidationError(
                _("A file name may not contain / \\ or NUL: rename the file and try again."),
                code="bad_name",
            )
        if upload.size == 0:
            raise ValidationError(_("%(name)s is empty."), params={"name": name}, code="empty")
        if upload.size > settings.SUPPORT_ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                _("%(name)s is larger than %(size)s."),
                params={
                    "name": name,
                    "size": filesizeformat(settings.SUPPORT_ATTACHMENT_MAX_BYTES),
                },
                code="too_large",
            )
        kind = files.sniff(upload)
        extension = os.path.splitext(name)[1].lower()
        if kind is None:
            raise ValidationError(
                _("%(name)s is not a file type the support center accepts. Allowed: %(types)s."),
                params={"name": name, "types": ", ".join(files.ALLOWED_EXTENSIONS)},
                code="type_not_allowed",
            )
        if extension not in files.KINDS[kind].extensions:
            raise ValidationError(
                _(
                    "The content of %(name)s does not match its name. Allowed: %(types)s, "
                    "each with its own content."
                ),
                params={"name": name, "types": ", ".join(files.ALLOWED_EXTENSIONS)},
                code="type_mismatch",
            )
        return CheckedFile(upload=upload, content_type=files.content_type(kind, name))


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX_LENGTH,
        validators=[visible_text],
    )
    attachments = AttachmentsField()


class InquiryForm(MessageForm):
    """A new inquiry: product, category, title and the first message (CONTRACT.md)."""

    product = ProductChoiceField()
    category = forms.ChoiceField(label=_("Category"), choices=Inquiry.Category.choices)
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX_LENGTH, validators=[visible_text]
    )
    submission = forms.CharField(widget=forms.HiddenInput)

    field_order = ["product", "category", "title", "body", "attachments", "submission"]

    def __init__(self, *args, member: User, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        self.fields["product"].label = _("Product")
        if member.product_id:
            self.initial.setdefault("product", member.product.slug)
            # A product withdrawn from the catalog stays selectable for members who use it.
            self.fields["product"].queryset |= type(member.product).objects.filter(
                pk=member.product_id
            )
        self.initial.setdefault("submission", new_submission(member))

    def clean_submission(self) -> str:
        """The token this page issued to this member today; anything else is refused."""
        try:
            token = signing.loads(
                self.cleaned_data["submission"], salt=SUBMISSION_SALT, max_age=SUBMISSION_MAX_AGE
            )
        except signing.BadSignature:
            token = None
        if not isinstance(token, dict) or token.get("member") != self.member.pk:
            raise ValidationError(
                _("This form has expired or did not come from this site. Reload the page."),
                code="bad_submission",
            )
        return token["nonce"]


def new_submission(member: User) -> str:
    return signing.dumps({"member": member.pk, "nonce": os.urandom(16).hex()}, salt=SUBMISSION_SALT)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the answer?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[visible_text],
    )


# --- Staff ---------------------------------------------------------------------------------------


def handlers() -> forms.ModelChoiceField:
    """Staff who handle inquiries: support agents and privacy handlers."""
    return forms.ModelChoiceField(
        label=_("Assigned to"),
        required=False,
        queryset=User.objects.filter(
            is_staff=True, is_active=True, groups__in=Group.objects.filter(
                name__in=[SUPPORT_AGENT, PRIVACY_HANDLER]
            )
        ).distinct().order_by("username"),
    )  # fmt: skip


class StaffReplyForm(MessageForm):
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_(
            "Notes stay out of the member's thread, but they are data about the member: the "
            "member sees them on their own data page and in its download (policy §7)."
        ),
    )
    canned = forms.ModelChoiceField(
        label=_("Start from a canned reply"),
        queryset=CannedReply.objects.filter(active=True),
        required=False,
    )
    articles = forms.MultipleChoiceField(
        label=_("Link knowledge-base articles"),
        required=False,
        help_text=_("Each one is added at the end of the message as its title and link."),
    )

    field_order = ["canned", "body", "articles", "internal", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False
        self.fields["articles"].choices = hooks.article_choices()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("body") and cleaned.get("canned"):
            cleaned["body"] = cleaned["canned"].body
        cleaned["article_links"] = hooks.article_links(cleaned.get("articles") or [])
        if not (cleaned.get("body") or cleaned["article_links"]) and "body" not in self.errors:
            self.add_error("body", ValidationError(_("Write a message."), code="required"))
        return cleaned

    def message(self, absolute_url: Callable[[str], str]) -> str:
        """The message as sent: the text, then a line "title — link" per linked article, each
        link made absolute with ``absolute_url`` so that the member's thread shows it as a link
        (it links web addresses only)."""
        lines = [
            f"{link['title']} — {absolute_url(link['url'])}"
            for link in self.cleaned_data["article_links"]
        ]
        return "\n\n".join(part for part in (self.cleaned_data["body"], "\n".join(lines)) if part)


class StaffUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Inquiry.Status.choices)
    assignee = handlers()
    is_complaint = forms.BooleanField(
        label=_("Complaint or dispute record (policy §5: kept three years after resolution)"),
        required=False,
    )

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": inquiry.status,
                "assignee": inquiry.assignee_id,
                "is_complaint": inquiry.is_complaint,
            },
        )
        super().__init__(*args, **kwargs)
        if inquiry.is_complaint:
            # A complaint record stays one.
            self.fields["is_complaint"].disabled = True


class StaffInquiryForm(forms.Form):
    """An inquiry received by phone, letter or e-mail, entered by staff for the member."""

    member = MemberByIdField(
        label=_("Member ID"),
        queryset=User.objects.filter(is_staff=False, is_superuser=False, closed_at__isnull=True),
        error_messages={"invalid_choice": _("No open member account has this ID.")},
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[c for c in Inquiry.Channel.choices if c[0] != Inquiry.Channel.WEB],
    )
    product = ProductChoiceField()
    category = forms.ChoiceField(label=_("Category"), choices=Inquiry.Category.choices)
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX_LENGTH, validators=[visible_text]
    )
    body = forms.CharField(
        label=_("What the member said"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX_LENGTH,
        validators=[visible_text],
    )
