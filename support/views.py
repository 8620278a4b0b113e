"""The member's side of the support desk: thin edges around support.services and selectors."""

from __future__ import annotations

import functools

from csp.constants import NONE
from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import hooks as accounts_hooks
from support import files, hooks, selectors, services
from support.exceptions import InquiryClosed, NotAllowedNow
from support.forms import InquiryForm, MessageForm, RatingForm
from support.models import Inquiry

INQUIRIES_PER_PAGE = 20


def members_only(view):
    """Logged-in members; staff accounts have the admin, not a member's support pages."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.is_staff or request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
@members_only
def inquiry_list(request):
    page = Paginator(selectors.member_inquiries(request.user), INQUIRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "support/list.html",
        {"page": page, "member_panels": _member_panels(request.user)},
    )


def _member_panels(member) -> list[dict]:
    """What apps above show about the member on the support pages (their support contract)."""
    return [panel for panel in accounts_hooks.member_panels(member) if panel]


@never_cache
@require_http_methods(["GET", "POST"])
@members_only
def new_inquiry(request):
    follow_up_of = _follow_up_of(request)
    if request.method == "POST" and request.POST.get("action") == "suggest":
        return _suggest(request, follow_up_of)
    form = InquiryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        member=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inquiry = services.open_inquiry(
            member=request.user,
            product=data["product"],
            category=data["category"],
            title=data["title"],
            body=data["body"],
            attachments=data["attachments"],
            submission=data["submission"],
            follow_up_of=follow_up_of,
        )
        messages.success(request, _("Your inquiry %(number)s was received.") % {
            "number": inquiry.number
        })  # fmt: skip
        return redirect("support:detail", number=inquiry.number)
    return _new_inquiry_page(request, form, follow_up_of)


def _new_inquiry_page(request, form: InquiryForm, follow_up_of: Inquiry | None, **extra):
    return render(
        request,
        "support/new.html",
        {
            "form": form,
            "follow_up_of": follow_up_of,
            "member_panels": _member_panels(request.user),
            **extra,
        },
    )


# What the 찾아보기 button keeps of the form: files cannot be handed back to a file input.
_KEPT_ON_SUGGEST = ("product", "category", "title", "body", "submission")


def _suggest(request, follow_up_of: Inquiry | None):
    """찾아보기 (without JavaScript): the knowledge-base articles that may already answer the
    title, above the form as the member filled it in. Nothing is checked or stored: that waits
    for the member to send the inquiry."""
    typed = {name: request.POST[name] for name in _KEPT_ON_SUGGEST if request.POST.get(name)}
    form = InquiryForm(initial=typed, member=request.user)
    # The product is looked up among the form's own choices, so what was sent never reaches
    # a query.
    products = {product.slug: product for product in form.fields["product"].queryset}
    suggestions = hooks.suggestions(
        title=typed.get("title", ""), product=products.get(typed.get("product"))
    )
    return _new_inquiry_page(
        request, form, follow_up_of, suggestions=suggestions, files_dropped=bool(request.FILES)
    )


def _follow_up_of(request) -> Inquiry | None:
    """The member's own closed inquiry a new one follows up, named by ``?follow_up=``."""
    number = request.GET.get("follow_up")
    return selectors.member_inquiry(request.user, number) if number else None


@never_cache
@require_http_methods(["GET", "POST"])
@members_only
def inquiry_detail(request, number):
    inquiry = selectors.member_inquiry(request.user, number)
    reply_form = MessageForm(prefix="reply")
    rating_form = RatingForm(prefix="rating")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reply":
            reply_form = MessageForm(request.POST, request.FILES, prefix="reply")
            if reply_form.is_valid():
                try:
                    services.member_reply(
                        inquiry=inquiry,
                        body=reply_form.cleaned_data["body"],
                        attachments=reply_form.cleaned_data["attachments"],
                    )
                except InquiryClosed:
                    messages.error(request, _("This inquiry is closed: open a follow-up instead."))
                return redirect("support:detail", number=number)
        elif action == "rate":
            rating_form = RatingForm(request.POST, prefix="rating")
            if rating_form.is_valid():
                _attempt(request, services.rate, inquiry=inquiry, **rating_form.cleaned_data)
                return redirect("support:detail", number=number)
        elif action == "resolve":
            _attempt(request, services.resolve, inquiry=inquiry, by=request.user)
            return redirect("support:detail", number=number)
        elif action == "reopen":
            _attempt(request, services.reopen, inquiry=inquiry)
            return redirect("support:detail", number=number)
        else:
            return HttpResponse(status=400)
    services.mark_read(inquiry=inquiry)
    return render(
        request,
        "support/detail.html",
        {
            "inquiry": inquiry,
            "thread": selectors.thread(inquiry),
            "history": selectors.status_history(inquiry),
            "reply_form": reply_form,
            "rating_form": rating_form,
            "can_resolve": services.can_resolve(inquiry),
            "can_reply": services.can_reply(inquiry),
            "can_reopen": services.can_reopen(inquiry),
        },
    )


def _attempt(request, action, **kwargs) -> None:
    try:
        action(**kwargs)
    except NotAllowedNow:
        messages.error(request, _("That is not possible in the inquiry's present status."))


@never_cache
@require_GET
@members_only
@csp({"default-src": [NONE], "sandbox": []})
def attachment(request, number, pk):
    """A file of the member's own inquiry, decrypted, always as a download of its checked type."""
    item = selectors.member_attachment(request.user, number, pk)
    return attachment_response(item)


def attachment_response(item) -> HttpResponse:
    """The download of ``item``: its original name (RFC 5987 for non-ASCII names), the type
    found from its bytes at upload, never rendered by the browser."""
    body = files.read(item.storage_name, key=bytes(item.inquiry.data_key))
    response = HttpResponse(body, content_type=item.content_type)
    response.headers["Content-Disposition"] = content_disposition_header(True, item.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
