from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy.middleware import standing_of
from privacy.selectors import is_member, policy_in_force, published_notices, upcoming_versions

register = template.Library()

UNITS = (
    (7 * 24 * 3600, lambda n: ngettext("%(n)d week", "%(n)d weeks", n)),
    (24 * 3600, lambda n: ngettext("%(n)d day", "%(n)d days", n)),
    (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n)),
    (60, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n)),
)


@register.filter
def cookie_lifetime(seconds):
    """``{{ cookie.max_age|cookie_lifetime }}``: "12 hours", or until the browser closes."""
    if seconds is None:
        return _("until you close the browser")
    for size, phrase in UNITS:
        if seconds >= size and seconds % size == 0:
            return phrase(seconds // size) % {"n": seconds // size}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


@register.simple_tag
def latest_notices(count=5):
    """``{% latest_notices 5 as notices %}``: the newest published notices, pinned first."""
    return published_notices()[:count]


@register.inclusion_tag("privacy/includes/upcoming_banner.html", takes_context=True)
def upcoming_policy_banner(context):
    """``{% upcoming_policy_banner %}``: policy §12, a change announced and not yet in force.

    A member's page has read the versions with the member's standing already.
    """
    request = context.get("request")
    if request is not None and is_member(request.user):
        standing = standing_of(request)
        return {"upcoming": standing.upcoming, "in_force": standing.in_force}
    # Visitors: one query finding nothing, most days (a version in force is a second query,
    # asked only when there is a change to compare it with).
    upcoming = list(upcoming_versions())
    return {"upcoming": upcoming, "in_force": policy_in_force() if upcoming else None}


@register.inclusion_tag("includes/support_contact.html")
def support_contact():
    """``{% support_contact %}``: how to reach the support center (policy §10), on the pages a
    member turns to when stuck: home, the lockout, recovery."""
    opens, closes = settings.STAFF_WORKING_HOURS
    return {
        "phone": settings.SUPPORT_PHONE,
        "email": settings.SUPPORT_EMAIL,
        "hours": settings.SUPPORT_HOURS,
        "opens": f"{opens:02d}:00",
        "closes": f"{closes:02d}:00",
    }
