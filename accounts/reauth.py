"""Password re-check ("sudo mode") before a member's data pages (policy §7 본인 확인 절차)."""

from __future__ import annotations

import datetime
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "_reauthenticated_at"


def mark_reauthenticated(request, *, now: datetime.datetime) -> None:
    request.session[SESSION_KEY] = now.timestamp()


def is_freshly_reauthenticated(request, *, now: datetime.datetime) -> bool:
    """True for ``REAUTH_MINUTES`` after the last password re-check, and not a moment longer."""
    confirmed_at = request.session.get(SESSION_KEY)
    if not isinstance(confirmed_at, (int, float)):
        return False
    age = now.timestamp() - confirmed_at
    return 0 <= age < settings.REAUTH_MINUTES * 60


def reauth_required(view):
    """Let the view run only for a member who re-entered the password in the last minutes."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_freshly_reauthenticated(request, now=timezone.now()):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:reauth')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
