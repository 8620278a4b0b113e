"""Staff security on the admin site (policy §9 다): a second factor, passwords renewed in time."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from core.http import client_ip
from staff.selectors.passwords import password_expired
from staff.services import audit

# The admin page a staff member opened before the second factor stopped them: they go there
# once it is passed (staff.views), not to their role's first page.
PAGE_BEFORE_SECOND_FACTOR = "staff_page_before_second_factor"


class StaffSecurityMiddleware:
    """Policy §9 다 for staff on the admin site: a second factor, and passwords renewed in time.

    A staff member who has not passed the second factor (when ``STAFF_REQUIRE_2FA``) is sent to
    enrol or verify a device; one whose password is older than ``STAFF_PASSWORD_MAX_AGE_DAYS``
    to the password change page. It also names the acting staff member for the records of
    privilege changes. Member pages are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            redirect_to = self._redirect_for(request, user)
            if redirect_to is not None:
                return redirect(redirect_to)
        with audit.acting(user=user, ip=client_ip(request)):
            return self.get_response(request)

    def _redirect_for(self, request, user) -> str | None:
        path = request.path
        exempt = {reverse("admin:logout"), reverse("admin:jsi18n")}
        second_factor = {reverse("staff_2fa_setup"), reverse("staff_2fa_verify")}
        if path in exempt:
            return None
        if settings.STAFF_REQUIRE_2FA and not user.is_verified():
            if path in second_factor:
                return None
            # The first page and the login page are no page of the staff member's choosing.
            chosen = path not in {reverse("admin:index"), reverse("admin:login")}
            if request.method == "GET" and chosen:
                request.session[PAGE_BEFORE_SECOND_FACTOR] = path
            if user_has_device(user):
                return reverse("staff_2fa_verify")
            return reverse("staff_2fa_setup")
        password_pages = {reverse("admin:password_change"), reverse("admin:password_change_done")}
        if path not in password_pages and password_expired(user):
            return reverse("admin:password_change")
        return None
