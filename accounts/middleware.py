"""Visit records (방문에 관한 기록, policy §1 나) for every page request."""

from __future__ import annotations

from django.conf import settings

from accounts import services
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
