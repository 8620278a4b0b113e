"""Policy and notice pages: thin edges around privacy.selectors and privacy.services."""

from __future__ import annotations

from itertools import pairwise

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.conditional import render_conditionally
from core.http import client_ip, safe_next
from privacy import selectors, services
from privacy.forms import ReconsentForm
from privacy.models import PolicyVersion
from privacy.rendering import changed_sections, rendered

NOTICES_PER_PAGE = 10


@require_GET
def policy(request):
    version = selectors.policy_in_force()
    if version is None:
        raise Http404
    upcoming = list(selectors.upcoming_versions())
    # An announced version's text and dates never change: which versions are shown decides all.
    return render_conditionally(
        request,
        "privacy/policy.html",
        {"version": version, "rendered": rendered(version.body), "upcoming": upcoming},
        validators=[version.pk, *(announced.pk for announced in upcoming)],
    )


@require_GET
def history(request):
    versions = list(PolicyVersion.objects.order_by("-effective_at"))
    in_force = selectors.policy_in_force()
    # Each live version is compared with the live one before it, as version_before() does.
    live = [version for version in reversed(versions) if not version.is_withdrawn]
    for version in versions:
        version.previous = None
    for previous, version in pairwise(live):
        version.previous = previous
    return render_conditionally(
        request,
        "privacy/history.html",
        {"versions": versions, "in_force": in_force},
        validators=[
            in_force and in_force.pk,
            *((version.pk, version.withdrawn_at) for version in versions),
        ],
    )


@require_GET
def version(request, label):
    version = get_object_or_404(PolicyVersion, label=label)
    return render(
        request,
        "privacy/version.html",
        {
            "version": version,
            "rendered": rendered(version.body),
            "previous": selectors.version_before(version),
            "in_force": selectors.policy_in_force(),
        },
    )


@require_GET
def diff(request, old, new):
    old_version = get_object_or_404(PolicyVersion, label=old)
    new_version = get_object_or_404(PolicyVersion, label=new)
    return render(
        request,
        "privacy/diff.html",
        {
            "old": old_version,
            "new": new_version,
            "sections": changed_sections(old_version.body, new_version.body),
        },
    )


@require_GET
def cookies(request):
    return render(request, "privacy/cookies.html", {"cookies": settings.COOKIE_DECLARATION})


@require_POST
@login_required
def acknowledge(request):
    version = selectors.version_to_acknowledge(request.user)
    if version is not None:
        services.acknowledge_policy_version(
            member=request.user, version=version, ip=client_ip(request)
        )
    return redirect(safe_next(request, "/"))


@require_http_methods(["GET", "POST"])
@login_required
def consent(request):
    """Agree again to a changed policy, or leave: links to the text, the diff and withdrawal."""
    target = safe_next(request, "/")
    version = selectors.version_to_agree(request.user)
    if version is None:
        return redirect(target)
    form = ReconsentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.agree_again(member=request.user, version=version, ip=client_ip(request))
        return redirect(target)
    return render(
        request,
        "privacy/consent.html",
        {
            "form": form,
            "version": version,
            "previous": selectors.last_agreed_version(request.user),
            "next": target,
        },
    )


@require_GET
def notices(request):
    page = Paginator(selectors.published_notices(), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # Notices may be edited in admin: what the list shows of each is part of the ETag.
    return render_conditionally(
        request,
        "privacy/notices.html",
        {"page": page},
        validators=[
            page.number,
            page.paginator.num_pages,
            *((notice.pk, notice.title, notice.pinned, notice.published_at) for notice in page),
        ],
    )


@require_GET
def notice(request, pk):
    item = get_object_or_404(selectors.published_notices(), pk=pk)
    return render(request, "privacy/notice.html", {"notice": item, "rendered": rendered(item.body)})
