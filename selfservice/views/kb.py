"""The public knowledge base: no login, no personal data, and no cookie set by its own pages.

"Was this helpful?" is a form without a CSRF token (the view is exempt): a token would set the
csrftoken cookie on every visitor of an article, and a forged answer can do no more than add
one to a public count, which anyone may do anyway.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Product
from privacy.rendering import render_markdown
from selfservice.forms.kb import ArticleSearchForm
from selfservice.selectors import kb as selectors
from selfservice.services import kb as services

ARTICLES_PER_PAGE = 20
ANSWERS = {"yes": True, "no": False}


@require_GET
def article_list(request):
    form = ArticleSearchForm(request.GET)
    page = None
    if form.is_valid():
        page = selectors.search_page(
            query=form.cleaned_data["q"],
            product=form.cleaned_data["product"],
            number=request.GET.get("page"),
            per_page=ARTICLES_PER_PAGE,
        )
    return render(request, "selfservice/kb/list.html", {"form": form, "page": page})


@require_GET
def article_detail(request, slug):
    article = selectors.article(slug)
    if article is None:
        raise Http404
    return render(
        request,
        "selfservice/kb/article.html",
        {
            "article": article,
            "rendered": render_markdown(article.body),
            "thanks": request.GET.get("thanks") == "1",
        },
    )


@csrf_exempt
@require_POST
def helpful(request, slug):
    """One "was this helpful?" answer, counted and forgotten; back to the article, thanked in
    its address (the messages framework would need the session, and with it a cookie)."""
    article = selectors.article(slug, with_products=False)
    if article is None:
        raise Http404
    answer = request.POST.get("answer")
    if answer not in ANSWERS:
        reason = _("Answer “yes” or “no”: nothing was counted.")
        return render(request, "400.html", {"reason": reason}, status=400)
    services.record_helpful(article=article, helpful=ANSWERS[answer])
    return redirect(reverse("kb:article", args=[article.slug]) + "?thanks=1#helpful")


@csrf_exempt
@require_POST
def suggest(request):
    """POST ``/kb/suggest/`` (``q``, ``product``): the suggestions of the new-inquiry page as
    JSON, for its script to show while the member types the title.

    A POST, not a query string: the title of an inquiry may name a person, and no URL may carry
    personal data, not even into a proxy's log or the browser's history. It changes nothing and
    answers only public articles, so it needs no CSRF token (which would set a cookie)."""
    form = ArticleSearchForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"articles": [], "errors": form.errors}, status=400)
    slug = form.cleaned_data["product"]
    product = Product.objects.filter(slug=slug).first() if slug else None
    return JsonResponse(
        {"articles": selectors.suggestions(title=form.cleaned_data["q"], product=product)}
    )
