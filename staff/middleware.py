"""Staff security on the admin site (policy §9 나/다; 안전성 확보조치 기준 제6조): the admin's
networks, the idle timeout of staff sessions, a second factor and passwords renewed in time."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device

from core.http import client_ip
from staff import sessions
from staff.selectors.passwords import password_expired
from staff.services import access_control, audit


def _is_staff(user) -> bool:
    return user is not None and user.is_authenticated and user.is_staff


class AdminNetworkMiddleware:
    """The admin answers only ``ADMIN_ALLOWED_NETWORKS`` (제6조; policy §9 나 침입차단).

    From any other address every admin URL, the login and ``/admin/staff/…`` included, is the
    ordinary 404 page, so that the admin is not even shown to exist there, and the attempt is
    kept as a misuse record. No networks listed: no restriction.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ADMIN_ALLOWED_NETWORKS and request.path.startswith(reverse("admin:index")):
            ip = client_ip(request)
            if not access_control.admin_reachable_from(ip=ip):
                user = request.user
                access_control.refuse_admin_request(
                    ip=ip,
                    user=user if user.is_authenticated else None,
                    method=request.method,
                    path=request.path,
                )
                raise Http404
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """A staff session ends after ``STAFF_IDLE_MINUTES`` without a request (제6조), server side.

    The next request logs it out and goes to the admin login, which says why. Members' sessions
    are not affected: they last ``SESSION_HOURS``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not _is_staff(user):
            return self.get_response(request)
        now = timezone.now()
        last = sessions.last_activity(request.session)
        if last is not None and access_control.idle_too_long(last_activity=last, now=now):
            logout(request)
            minutes = settings.STAFF_IDLE_MINUTES
            messages.warning(
                request,
                ngettext(
                    "You were logged out after %(minutes)d minute without activity. "
                    "Please log in again.",
                    "You were logged out after %(minutes)d minutes without activity. "
                    "Please log in again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return redirect_to_login(request.path, reverse("admin:login"))
        sessions.touch(request.session, now=now)
        return self.get_response(request)


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
        if not _is_staff(user):
            return self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            redirect_to = self._redirect_for(request, user)
            if redirect_to is not None:
                return redirect(redirect_to)
            if request.path == reverse("admin:index"):
                self._show_login_note(request)
        with audit.acting(user=user, ip=client_ip(request)):
            return self.get_response(request)

    def _show_login_note(self, request) -> None:
        """제6조: the account's previous login, once, on the first admin index after login.

        Only here, past the second factor: a password alone does not learn when and from
        where the account was last used.
        """
        note = sessions.pop_login_note(request.session)
        if note is None:
            return
        previous = note.previous
        if previous is None:
            messages.info(request, _("Last access: no earlier login of this account is on record."))
            return
        messages.info(
            request,
            _(
                "Last access: %(time)s, %(ip)s. If this was not you, change your password "
                "and tell the privacy officer."
            )
            % {
                "time": timezone.localtime(previous.time).strftime("%Y-%m-%d %H:%M"),
                "ip": previous.ip or _("address unknown"),
            },
        )

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
