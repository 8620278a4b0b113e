"""Request helpers shared by the apps."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, or None when it cannot be known.

    With ``PROXY_COUNT`` trusted proxies in front, the address is the one the outermost of them
    appended to X-Forwarded-For; entries further left are the client's own claims and are
    ignored. Without proxies it is REMOTE_ADDR.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.PROXY_COUNT:
            candidate = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the request names if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
