"""Where a staff member starts after logging in: what their role uses most."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from staff.roles import LANDING_PAGES


def landing_page(user: User) -> str:
    """The page of ``LANDING_PAGES`` for a staff member with exactly one role, else the admin's
    first page (superusers, several roles, or none)."""
    if not user.is_superuser:
        roles = list(user.groups.values_list("name", flat=True)[:2])
        if len(roles) == 1 and roles[0] in LANDING_PAGES:
            return reverse(LANDING_PAGES[roles[0]])
    return reverse("admin:index")
