from django import forms
from django.utils.translation import gettext_lazy as _


class ReconsentForm(forms.Form):
    """수집·이용 동의, again: the same ``agree_policy`` box as at sign-up."""

    agree_policy = forms.BooleanField(
        label=_(
            "I agree to the collection and use of my personal information under the new policy."
        ),
        error_messages={
            "required": _("Tick the box to agree, or withdraw from membership if you do not agree.")
        },
    )
