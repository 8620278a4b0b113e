"""Visit records (방문에 관한 기록, policy §1 나) for every page request, and the page a member
must see first after login."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import hooks, services
from core.http import client_ip

UNRECORDED_PREFIXES = ("/healthz",)


class VisitRecordMiddleware:
    """Write a visit record once the response is known; static files and health checks excepted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith((settings.STATIC_URL, *UNRECORDED_PREFIXES)):
            user = getattr(request, "user", None)
            services.record_visit(
                ip=client_ip(request),
                member=user if user is not None and user.is_authenticated else None,
                method=request.method,
                path=request.path,
                status=response.status_code,
            )
        return response


FIRST_PAGE_SESSION_KEY = "_first_page"


def remember_first_page(request, member) -> None:
    """At login: keep the page an app above must show ``member`` first (``hooks.after_login``).

    Asked once per login, not once per request: a notice published while the member is logged
    in is shown at their next login, and meanwhile on their data page.
    """
    path = next((path for path in hooks.after_login(member) if path), None)
    if path:
        request.session[FIRST_PAGE_SESSION_KEY] = path


def release_first_page(request) -> None:
    """The first page has done its part: the member goes where they like."""
    request.session.pop(FIRST_PAGE_SESSION_KEY, None)


class FirstPageMiddleware:
    """Send a member who has a page to see first after login (a breach notice) to it, with the
    address they asked for as ``next``.

    Logging out, the my-data page with its export and withdrawal (and the password re-check in
    front of them) and the policy stay open: a member may leave before reading.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def open_paths(self) -> tuple[str, ...]:
        return (
            reverse("accounts:logout"),
            reverse("accounts:reauth"),
            reverse("accounts:me"),
            reverse("accounts:export"),
            reverse("accounts:withdraw"),
            reverse("accounts:withdrawn"),
        )

    def open_prefixes(self) -> tuple[str, ...]:
        return ("/privacy/", "/notices/", "/i18n/", "/healthz", settings.STATIC_URL)

    def __call__(self, request):
        user = getattr(request, "user", None)
        first = (
            request.session.get(FIRST_PAGE_SESSION_KEY)
            if user is not None and user.is_authenticated
            else None
        )
        if (
            first
            and not request.path.startswith((first, *self.open_prefixes()))
            and request.path not in self.open_paths()
        ):
            return redirect(f"{first}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
