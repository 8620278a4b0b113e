"""Forms of the knowledge base: the public search, the article in admin, a draft from an answer."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product
from selfservice.models import Article
from selfservice.selectors.kb import MAX_QUERY_LENGTH
from selfservice.services.kb import RESERVED_SLUGS
from support.forms import visible_text
from support.models import Inquiry, Message


def _product_choices() -> list[tuple[str, str]]:
    return [("", _("All products")), *Product.objects.values_list("slug", "name")]


class ArticleSearchForm(forms.Form):
    """``/kb/?q=…&product=…``: checked against the catalog in Python, so no value a visitor
    sends ever reaches a query unchecked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        validators=[visible_text],
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    product = forms.ChoiceField(label=_("Product"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: a callable would be asked again for the check and for the page.
        self.fields["product"].choices = _product_choices()


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "products", "tags", "body", "published", "last_reviewed_on"]
        error_messages = {
            "slug": {
                "unique": _("Another article already has this slug: choose another."),
                "invalid": _(
                    "Use letters (Korean too), digits, hyphens and underscores only in a slug."
                ),
            }
        }
        help_texts = {
            "slug": _("The article's address: /kb/<slug>/. Filled in from the title."),
            "body": _(
                "Markdown. The page is public: no member's name, ID, company, project, contact "
                "or inquiry number."
            ),
        }

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is a page of the knowledge base: choose another slug."),
                params={"slug": slug},
                code="reserved",
            )
        return slug


class AnswerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Message) -> str:
        when = timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M")
        text = " ".join(obj.body.split())
        return f"{when} · {text[:120]}{'…' if len(text) > 120 else ''}"


class DraftArticleForm(forms.Form):
    """A draft article from a resolved inquiry: a title staff write and answers they pick; the
    member's messages and the staff's internal notes are not offered."""

    title = forms.CharField(
        label=_("Title of the article"),
        max_length=Article._meta.get_field("title").max_length,
        validators=[visible_text],
    )
    answers = AnswerChoiceField(
        label=_("Answers to take the text from"),
        queryset=Message.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].queryset = inquiry.messages.filter(
            kind=Message.Kind.ANSWER
        ).order_by("created_at", "pk")
