"""django-axes hooks: how an attempt is keyed, when a client is locked out, and what its log
lines may say (policy §9 나: defence against password guessing)."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum

from accounts.validators import normalize_member_id

USERNAME_FIELD_LIMIT = 150


def attempted_username(request, credentials=None) -> str:
    """The ID an attempt was made for, normalised as stored, so ``KIM`` and ``kim`` count as one."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return normalize_member_id(str(raw or ""))[:USERNAME_FIELD_LIMIT]


def anonymous_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """Describe a client in django-axes' log lines without its ID or address."""
    if isinstance(path_info, (tuple, list)):
        path_info = path_info[0] if path_info else ""
    return f"{{client withheld, path: {path_info!r}}}"


class AddressAwareHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a limit per address across all IDs.

    The ID-and-address pair is locked after ``AXES_FAILURE_LIMIT`` failures; an address that
    fails ``AXES_ADDRESS_FAILURE_LIMIT`` times within the cool-off, whatever IDs it tried, is
    locked out too, so one address cannot stuff credentials through many IDs.
    """

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # django-axes decides on its own counts alone; the address's count can lock out too.
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        )
        failures = attempts.aggregate(failures=Sum("failures_since_start"))["failures"]
        return failures or 0


def attempts_left(request, username: str) -> int:
    """How many more wrong passwords for ``username`` from this address lock it out."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    attempts = AccessAttempt.objects.filter(
        username=attempted_username(request, {"username": username}),
        ip_address=address,
        attempt_time__gte=get_cool_off_threshold(request),
    )
    failures = attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)
