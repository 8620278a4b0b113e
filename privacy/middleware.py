"""Members asked to agree again to a changed policy see that page before any other."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from privacy.selectors import PolicyStanding, policy_standing


def standing_of(request) -> PolicyStanding:
    """The standing of the request's member, looked up once per request: this middleware and
    the banner of every page (``context_processors.policy_change``) both need it."""
    user = getattr(request, "user", None)
    # Keyed by the user object, so a login or logout during the request asks again.
    cached = getattr(request, "_policy_standing", None)
    if cached is None or cached[0] is not user:
        cached = request._policy_standing = (user, policy_standing(user))
    return cached[1]


class ReconsentMiddleware:
    """Send a member who must agree again to ``/privacy/consent/``.

    Reading the policy, logging out and withdrawing (with its password re-check) stay open:
    a member who declines the new terms must be able to leave. So do the member's rights of
    policy §7, which need no consent: seeing their data and downloading it, and making a
    request (deletion, withdrawal of consent, …).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def open_paths(self) -> tuple[str, ...]:
        return (
            "/privacy/",
            "/i18n/",
            "/healthz",
            settings.STATIC_URL,
            reverse("accounts:logout"),
            reverse("accounts:reauth"),
            reverse("accounts:export"),
            reverse("accounts:new_request"),
            reverse("accounts:withdraw"),
            reverse("accounts:withdrawn"),
        )

    def open_pages(self) -> tuple[str, ...]:
        # The my-data page alone: the pages under it that change the data stay behind consent.
        return (reverse("accounts:me"),)

    def __call__(self, request):
        if (
            not request.path.startswith(self.open_paths())
            and request.path not in self.open_pages()
            and standing_of(request).to_agree is not None
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('privacy:consent')}?{query}")
        return self.get_response(request)
