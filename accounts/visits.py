"""Visit records in plain words: which page, read or submitted, and how it ended (policy §7 열람).

A member reading their visit records should not need to know HTTP: ``POST /accounts/reauth/ 302``
reads as "Password re-check · Submitted · Moved on to another page". The stored fields stay as
they are, and the JSON export keeps them whole; the my-data page, the CSV and the print view
show these words. Pages are named by their URL name; the names of other apps' pages appear here
as plain strings, so accounts imports none of them.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

STAFF_PAGES = gettext_lazy("Staff pages")

PAGE_NAMES = {
    "home": gettext_lazy("Home"),
    "favicon": gettext_lazy("Site icon"),
    "healthz": gettext_lazy("Health check"),
    "set_language": gettext_lazy("Language change"),
    "accounts:signup": gettext_lazy("Sign up"),
    "accounts:login": gettext_lazy("Log in"),
    "accounts:logout": gettext_lazy("Log out"),
    "accounts:reauth": gettext_lazy("Password re-check"),
    "accounts:me": gettext_lazy("My data"),
    "accounts:me_edit": gettext_lazy("Correct my information"),
    "accounts:password_change": gettext_lazy("Change password"),
    "accounts:export": gettext_lazy("My data as JSON"),
    "accounts:export_csv": gettext_lazy("My data as CSV"),
    "accounts:print": gettext_lazy("My data for printing"),
    "accounts:withdraw": gettext_lazy("Withdraw from membership"),
    "accounts:withdrawn": gettext_lazy("Account closed"),
    "accounts:recover": gettext_lazy("Forgotten password"),
    "accounts:recover_code": gettext_lazy("Password reset with a code"),
    "accounts:new_request": gettext_lazy("A privacy request"),
    "incidents:notices": gettext_lazy("Notice of a personal data breach"),
    "incidents:acknowledge": gettext_lazy("Acknowledging a breach notice"),
    "privacy:policy": gettext_lazy("Privacy policy"),
    "privacy:history": gettext_lazy("Privacy Policy history"),
    "privacy:cookies": gettext_lazy("Cookies"),
    "privacy:acknowledge": gettext_lazy("Acknowledging a policy change"),
    "privacy:consent": gettext_lazy("Agreeing to a policy change"),
    "privacy:version": gettext_lazy("A version of the privacy policy"),
    "privacy:diff": gettext_lazy("Changes between policy versions"),
    "notices:list": gettext_lazy("Notices"),
    "notices:detail": gettext_lazy("A notice"),
    "support:list": gettext_lazy("My inquiries"),
    "support:new": gettext_lazy("New inquiry"),
    "support:detail": gettext_lazy("An inquiry"),
    "support:attachment": gettext_lazy("An inquiry's attachment"),
    "downloads:list": gettext_lazy("Downloads"),
    "downloads:release": gettext_lazy("A release"),
    "downloads:file": gettext_lazy("A release file"),
    "kb:list": gettext_lazy("Knowledge base"),
    "kb:suggest": gettext_lazy("Article suggestions"),
    "kb:article": gettext_lazy("A knowledge-base article"),
    "kb:helpful": gettext_lazy("Rating an article"),
    "access_review": STAFF_PAGES,
    "access_review_csv": STAFF_PAGES,
    "access_review_print": STAFF_PAGES,
    "compliance_status": STAFF_PAGES,
    "staff_login": STAFF_PAGES,
    "staff_dashboard": STAFF_PAGES,
    "staff_2fa_setup": STAFF_PAGES,
    "staff_2fa_verify": STAFF_PAGES,
}


def page_name(path: str) -> str:
    """The page ``path`` shows, in words; what identifies it (an inquiry's number, an article's
    slug) follows in parentheses. A path no page answers is "a page that does not exist"; a
    query string is never shown (the middleware stores none; older rows are cut here too)."""
    try:
        match = resolve(path.partition("?")[0])
    except Resolver404:
        return _("A page that does not exist")
    if "admin" in match.namespaces:
        return str(STAFF_PAGES)
    # A page added after this list reads as the site's, never as its raw path.
    label = PAGE_NAMES.get(match.view_name, gettext_lazy("A page of this site"))
    if match.kwargs:
        detail = " / ".join(str(value) for value in match.kwargs.values())
        return _("%(page)s (%(detail)s)") % {"page": label, "detail": detail}
    return str(label)


def action(method: str) -> str:
    """What the member did: read a page, or sent a form."""
    if method in ("GET", "HEAD"):
        return pgettext("visit", "Viewed")
    if method == "POST":
        return pgettext("visit", "Submitted")
    return pgettext("visit", "Other request")


def outcome(status: int) -> str:
    """How the request ended, in words rather than an HTTP status. The words of a visit have
    their own context: "Page not found" here is a short outcome, not the 404 page's title."""
    if status in (404, 410):
        return pgettext("visit", "Page not found")
    if status == 429:
        return pgettext("visit", "Too many attempts")
    if status >= 500:
        return pgettext("visit", "Error")
    if status >= 400:
        return pgettext("visit", "Refused")
    # 304: the browser showed the copy it kept, which is still the page.
    if 300 <= status < 400 and status != 304:
        return pgettext("visit", "Moved on to another page")
    return pgettext("visit", "Shown")
