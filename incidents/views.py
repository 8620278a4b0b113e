"""The member's breach notices (PIPA §34 ①): shown before anything else at login, and
acknowledged once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.middleware import release_first_page
from core.http import safe_next
from incidents import selectors, services


@never_cache
@require_GET
@login_required
def notices(request):
    """The notices the member has not acknowledged yet; with none left, where they were going."""
    target = safe_next(request, "/")
    pending = list(selectors.unacknowledged(request.user))
    if not pending:
        release_first_page(request)
        return redirect(target)
    return render(request, "incidents/notices.html", {"notices": pending, "next": target})


@require_POST
@login_required
def acknowledge(request, pk):
    """Record that the member read the notice of incident ``pk``, then go on to ``next``."""
    notice = get_object_or_404(selectors.notices_of(request.user), incident_id=pk)
    services.acknowledge_notice(notice=notice)
    if not selectors.unacknowledged(request.user).exists():
        release_first_page(request)
    return redirect(safe_next(request, "/"))
