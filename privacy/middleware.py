"""Members asked to agree again to a changed policy see that page before any other."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from privacy.selectors import version_to_agree


class ReconsentMiddleware:
    """Send a member who must agree again to ``/privacy/consent/``.

    Reading the policy, logging out and withdrawing (with its password re-check) stay open:
    a member who declines the new terms must be able to leave.
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
            reverse("accounts:withdraw"),
            reverse("accounts:withdrawn"),
        )

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(self.open_paths())
            and version_to_agree(user) is not None
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('privacy:consent')}?{query}")
        return self.get_response(request)
