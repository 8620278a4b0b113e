"""The knowledge base in admin: articles, and drafts made from a resolved inquiry's answers.

An article is a public page, so its admin shows no member; the draft page does (the answers of
an inquiry), and writes its access record like every page showing a member's data.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.http import client_ip
from privacy.rendering import render_markdown
from selfservice.forms.kb import ArticleAdminForm, DraftArticleForm
from selfservice.models import Article
from selfservice.selectors import kb as selectors
from selfservice.services import kb as services
from staff.models import AccessRecord
from staff.services import audit
from support.models import Inquiry

ADD = "selfservice.add_article"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "published", "last_reviewed_on", "helpful_yes", "helpful_no")
    list_filter = ("published", "products")
    search_fields = ("title", "body", "tags")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("helpful_yes", "helpful_no", "preview")
    fieldsets = (
        (None, {"fields": ("title", "slug", "products", "tags", "published", "last_reviewed_on")}),
        (_("Text"), {"fields": ("body", "preview")}),
        (_("Was this helpful?"), {"fields": ("helpful_yes", "helpful_no")}),
    )
    filter_horizontal = ("products",)
    list_per_page = 50

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        return render_markdown(obj.body).body if obj.pk else "—"

    def get_urls(self):
        view = self.admin_site.admin_view(self.draft_view)
        route = path("draft-from-inquiry/<int:inquiry_id>/", view, name="selfservice_article_draft")
        return [route, *super().get_urls()]

    def draft_view(self, request, inquiry_id):
        """A draft article from a resolved inquiry: the title staff write and the answers they
        pick; the article is saved unpublished and opened for editing."""
        if not (request.user.has_perm(ADD) and request.user.has_perm("support.view_inquiry")):
            raise PermissionDenied
        inquiry = get_object_or_404(Inquiry.objects.select_related("member"), pk=inquiry_id)
        if not selectors.can_draft_from(inquiry):
            self.message_user(
                request, gettext("Only a resolved inquiry can become an article."), messages.ERROR
            )
            return redirect(reverse("admin:support_inquiry_change", args=[inquiry.pk]))
        form = DraftArticleForm(request.POST or None, inquiry=inquiry)
        if not form.fields["answers"].queryset.exists():
            message = gettext("This inquiry has no answer to make an article of.")
            self.message_user(request, message, messages.ERROR)
            return redirect(reverse("admin:support_inquiry_change", args=[inquiry.pk]))
        if request.method == "POST" and form.is_valid():
            article = services.draft_from_inquiry(
                inquiry=inquiry,
                answers=form.cleaned_data["answers"],
                title=form.cleaned_data["title"],
                staff=request.user,
                ip=client_ip(request),
            )
            self.message_user(
                request,
                gettext(
                    "The draft was saved unpublished. Check it for anything personal before "
                    "publishing it."
                ),
            )
            return redirect(reverse("admin:selfservice_article_change", args=[article.pk]))
        # The page lists the staff's answers to the member: an access to the member's data.
        audit.record_member_access(
            staff=request.user,
            ip=client_ip(request),
            action=AccessRecord.Action.VIEW,
            member=inquiry.member,
            detail=f"inquiry {inquiry.number}: knowledge-base draft",
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Draft a knowledge-base article from %(number)s")
            % {"number": inquiry.number},
            "form": form,
            "inquiry": inquiry,
            "mask": services.MASK,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/selfservice/article/draft.html", context)
