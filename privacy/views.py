"""Policy and notice pages: thin edges around privacy.selectors and privacy.services."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import client_ip, safe_next
from privacy import selectors, services
from privacy.forms import ReconsentForm
from privacy.models import PolicyVersion
from privacy.rendering import diff_lines, render_markdown

NOTICES_PER_PAGE = 10


@require_GET
def policy(request):
    version = selectors.policy_in_force()
    if version is None:
        raise Http404
    return render(
        request,
        "privacy/policy.html",
        {
            "version": version,
            "rendered": render_markdown(version.body),
            "upcoming": selectors.upcoming_versions(),
        },
    )


@require_GET
def history(request):
    return render(
        request,
        "privacy/history.html",
        {
            "versions": PolicyVersion.objects.order_by("-effective_at"),
            "in_force": selectors.policy_in_force(),
        },
    )


@require_GET
def version(request, label):
    version = get_object_or_404(PolicyVersion, label=label)
    return render(
        request,
        "privacy/version.html",
        {
            "version": version,
            "rendered": render_markdown(version.body),
            "previous": selectors.version_before(version),
            "in_force": selectors.policy_in_force(),
        },
    )


@require_GET
def diff(request, old, new):
    old_version = get_object_or_404(PolicyVersion, label=old)
    new_version = get_object_or_404(PolicyVersion, label=new)
    lines = diff_lines(old_version.body, new_version.body)
    return render(
        request,
        "privacy/diff.html",
        {
            "old": old_version,
            "new": new_version,
            "lines": lines,
            "changed": any(line.kind != "same" for line in lines),
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
    return render(request, "privacy/notices.html", {"page": page})


@require_GET
def notice(request, pk):
    item = get_object_or_404(selectors.published_notices(), pk=pk)
    return render(
        request, "privacy/notice.html", {"notice": item, "rendered": render_markdown(item.body)}
    )
