"""django-axes hooks: how an attempt is keyed, and what its log lines may say."""

from __future__ import annotations

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
