"""Every page a member, a visitor or a staff member sees passes axe-core at 1280 and 390 pixels:
no violation of impact serious or critical.

axe-core comes from npm (package.json, ``npm ci``); without ``node_modules/axe-core/axe.min.js``
these tests skip, or fail where ``NEXCORE_REQUIRE_BROWSER=1``. It is run through Playwright's
``page.evaluate``, which the DevTools protocol carries past the page's Content Security Policy:
the browser contexts keep enforcing the site's policy exactly as a visitor's browser does
(``bypass_csp`` would switch it off and hide a page that breaks it), and a page that reports a
policy violation fails here too. ``add_script_tag`` would put the script inline, which the
policy refuses (``test_the_policy_refuses_axe_as_an_inline_script_tag``).

The pages are those of a real portal (gunicorn on fresh databases of this run's backend, static
files collected, as ``make run`` serves them), made once for the module: one Chromium and one
logged-in context per person serve every page, and each page is opened once and audited at both
widths. On a failure the page is saved as ``var/artifacts/<test id>-<width>.png`` and the
violations are in the assertion message.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django_otp.oath import totp

from tests.conftest import PASSWORD, STAFF_PASSWORD
from tests.e2e.audit_site import MEMBER, STAFF
from tests.e2e.conftest import launch, playwright_session, unavailable
from tests.live import ROOT, fresh_databases, live_portal, postgres_server

pytestmark = [pytest.mark.browser, pytest.mark.law("장애인차별금지법 제21조")]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "artifacts"
WIDTHS = (1280, 390)
BLOCKING = ("serious", "critical")
# Rules issue 16 fixed, kept fixed at any impact: the message list inside its live region
# (listitem, aria-allowed-role), underlined links in running text such as the admin's
# breadcrumbs, a level-one heading on every page (the admin login's).
KEPT_FIXED = ("listitem", "aria-allowed-role", "link-in-text-block", "page-has-heading-one")


@pytest.fixture(scope="module")
def chromium():
    if not AXE.exists():
        unavailable(f"axe-core is not installed: {AXE.relative_to(ROOT)} is missing (npm ci)")
    with playwright_session() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@dataclass
class Site:
    url: str
    ids: dict[str, object]
    devices: dict[str, dict]


@pytest.fixture(scope="module")
def site(chromium, tmp_path_factory):
    """The portal on this run's database backend, holding ``tests.e2e.audit_site``'s data."""
    tmp_path = tmp_path_factory.mktemp("audited-portal")
    backend = "postgresql" if postgres_server() else "sqlite"
    with fresh_databases(backend, tmp_path) as databases:
        made = databases.shell(
            "from tests.e2e.audit_site import make; "
            f"make(password={PASSWORD!r}, staff_password={STAFF_PASSWORD!r})"
        )
        data = json.loads(made)
        with live_portal(databases, tmp_path, workers=2) as portal:
            yield Site(url=portal.url, ids=data["ids"], devices=data["devices"])


# --- One context per person, logged in the first time a page needs it ------------------------


@dataclass
class Persona:
    page: object
    policy_reports: list[str] = field(default_factory=list)


def _log_in_member(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", MEMBER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/reauth/?next=/accounts/me/")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/")


def _log_in_staff(page, base: str, username: str, device: dict | None, *, verify: bool) -> None:
    """The admin's login, then the second factor: enrolment without a device, else its code
    (unless ``verify`` is false, which leaves the person on the page that asks for it)."""
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("input[type=submit]")
    if device is None:
        page.wait_for_url("**/2fa/setup/")
        return
    page.wait_for_url("**/2fa/verify/**")
    if not verify:
        return
    token = totp(
        bytes.fromhex(device["key"]), step=device["step"], t0=device["t0"], digits=device["digits"]
    )
    page.fill("input[name=token]", f"{token:06d}")
    page.click("#content form input[type=submit]")
    # Past the second factor each role lands on its own page (staff.roles.LANDING_PAGES).
    page.wait_for_url(lambda url: url.startswith(f"{base}/admin/") and "/2fa/" not in url)


class People:
    """A browser context for each person: a visitor, the member, each member of staff."""

    def __init__(self, browser, site: Site):
        self.browser = browser
        self.site = site
        self.opened: dict[str, Persona] = {}

    def __getitem__(self, name: str) -> Persona:
        if name not in self.opened:
            context = self.browser.new_context(locale="ko-KR")
            persona = Persona(page=context.new_page())
            persona.page.on("console", lambda message: _policy_report(persona, message))
            if name == "member":
                _log_in_member(persona.page, self.site.url)
            elif name in STAFF:
                device = self.site.devices.get(name)
                verify = name != "returning"
                _log_in_staff(persona.page, self.site.url, STAFF[name], device, verify=verify)
            self.opened[name] = persona
        return self.opened[name]


def _policy_report(persona: Persona, message) -> None:
    if "Content Security Policy" in message.text:
        where = message.location
        persona.policy_reports.append(
            f"{where['url']}:{where['lineNumber']}:{where['columnNumber']}: {message.text}"
        )


@pytest.fixture(scope="module")
def people(chromium, site):
    return People(chromium, site)


# --- The pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """A page as one person reaches it: a path (with the site's ids), then any steps in a form
    (returning the status they end on) that bring them to the page ``lands_on``."""

    id: str
    persona: str
    path: str
    status: int = 200
    steps: Callable | None = None
    lands_on: str | None = None
    # What the page must show for the audit to be of it: the part this screen is here for.
    shows: str = "main h1, #content h1"
    # Rules left to other work, for this page only; each with its reason where it is set.
    disabled_rules: tuple[str, ...] = ()


def _submit(page, selector: str = "form.stacked-form button[type=submit]") -> int:
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value.status


def _locked_out(page) -> int:
    """Wrong passwords until django-axes locks the ID out (its 429 page)."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("input[name=username]", "locked.member")
        page.fill("input[name=password]", "not-the-password")
        status = _submit(page)
        if status == 429:
            break
    return status


def _signup_refused(page) -> int:
    page.fill("input[name=username]", MEMBER)
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    return _submit(page)


def _login_refused(page) -> int:
    page.fill("input[name=username]", MEMBER)
    page.fill("input[name=password]", "not-the-password")
    return _submit(page)


def _saved(page) -> int:
    """Save the form as it is: the page it redirects to says so in a message."""
    return _submit(page)


SCREENS = [
    # Anyone
    Screen("home", "visitor", "/"),
    Screen("signup", "visitor", "/accounts/signup/"),
    Screen(
        "signup-errors",
        "visitor",
        "/accounts/signup/",
        steps=_signup_refused,
        shows=".form-errors .error-summary a",
    ),
    Screen("login", "visitor", "/accounts/login/"),
    Screen(
        "login-errors", "visitor", "/accounts/login/", steps=_login_refused, shows=".form-errors"
    ),
    Screen("lockout", "visitor", "/accounts/login/", status=429, steps=_locked_out),
    Screen("recover", "visitor", "/accounts/recover/"),
    Screen("recover-code", "visitor", "/accounts/recover/code/"),
    Screen("withdrawn", "visitor", "/accounts/withdrawn/"),
    Screen("privacy-policy", "visitor", "/privacy/"),
    Screen("policy-history", "visitor", "/privacy/history/"),
    Screen("policy-version", "visitor", "/privacy/v/2.0/"),
    Screen("policy-diff", "visitor", "/privacy/v/1.0/diff/2.0/"),
    Screen("cookies", "visitor", "/privacy/cookies/"),
    Screen("notices", "visitor", "/notices/"),
    Screen("notice", "visitor", "/notices/{notice}/"),
    Screen("kb", "visitor", "/kb/"),
    Screen("kb-search", "visitor", "/kb/?q=배치"),
    Screen("kb-article", "visitor", "/kb/{article}/"),
    Screen("not-found", "visitor", "/no-such-page/", status=404),
    Screen("admin-login", "visitor", "/admin/login/"),
    # A Korean member, logged in and re-authenticated
    Screen("member-home", "member", "/", shows="main .banner"),
    Screen("reauth", "member", "/accounts/reauth/?next=/accounts/me/"),
    Screen("my-data", "member", "/accounts/me/"),
    Screen("my-data-edit", "member", "/accounts/me/edit/"),
    Screen(
        "my-data-saved",
        "member",
        "/accounts/me/edit/",
        steps=_saved,
        lands_on="/accounts/me/",
        shows="main [role=status] > ul.messages > li",
    ),
    Screen("password-change", "member", "/accounts/me/password/"),
    Screen("withdraw", "member", "/accounts/me/withdraw/"),
    Screen("inquiries", "member", "/support/"),
    Screen("inquiry-new", "member", "/support/new/"),
    Screen("inquiry", "member", "/support/{inquiry}/"),
    Screen("downloads", "member", "/downloads/"),
    Screen("release", "member", "/downloads/{product}/3.2.1/"),
    Screen("forbidden", "member", "/downloads/{product}/3.3.0/", status=403),
    # Staff, each in the role whose work the page is
    Screen("admin-index", "officer", "/admin/"),
    Screen("member-changelist", "officer", "/admin/accounts/user/"),
    Screen("member-changelist-filtered", "officer", "/admin/accounts/user/?is_active__exact=1"),
    Screen("member-change", "officer", "/admin/accounts/user/{member}/change/"),
    Screen("staff-dashboard", "officer", "/admin/staff/dashboard/"),
    Screen("access-review", "officer", "/admin/staff/access-review/"),
    Screen("staff-password-change", "officer", "/admin/password_change/"),
    Screen("inquiry-changelist", "agent", "/admin/support/inquiry/"),
    Screen("inquiry-change", "agent", "/admin/support/inquiry/{inquiry_pk}/change/"),
    Screen(
        "group-change",
        "operator",
        "/admin/auth/group/{group}/change/",
        shows=".selector .search-label-icon[role=img]",
    ),
    Screen("two-factor-setup", "newcomer", "/admin/staff/2fa/setup/"),
    Screen("two-factor-verify", "returning", "/admin/staff/2fa/verify/"),
]


def _open(screen: Screen, persona: Persona, site: Site) -> int:
    page = persona.page
    response = page.goto(f"{site.url}{screen.path.format(**site.ids)}")
    if screen.steps is not None:
        return screen.steps(page)
    return response.status


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _audit(page, disabled_rules: tuple[str, ...]) -> list[dict]:
    """axe-core's violations on the page as it is now that fail the test."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async ([disabled, blocking, kept]) => {
            const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
            const results = await axe.run(document, {resultTypes: ["violations"], rules});
            const fails = (violation) =>
                blocking.includes(violation.impact) || kept.includes(violation.id);
            return results.violations
                .filter(fails)
                .map((violation) => ({
                    id: violation.id,
                    impact: violation.impact,
                    help: violation.help,
                    nodes: violation.nodes.map((node) => ({
                        target: node.target.join(" "),
                        summary: node.failureSummary,
                    })),
                }));
        }""",
        [list(disabled_rules), list(BLOCKING), list(KEPT_FIXED)],
    )


def _describe(width: int, violations: list[dict], screenshot) -> str:
    lines = [f"at {width}px (screenshot {screenshot.relative_to(ROOT)}):"]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = re.sub(r"\s+", " ", node["summary"] or "")
            lines.append(f"    {node['target']}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", SCREENS, ids=[screen.id for screen in SCREENS])
def test_page_has_no_serious_accessibility_violation_at_either_width(screen, people, site):
    persona = people[screen.persona]
    page = persona.page
    persona.policy_reports.clear()
    status = _open(screen, persona, site)
    # The page itself, not a login, re-auth or second-factor page it sent the person to.
    expected = urlsplit((screen.lands_on or screen.path).format(**site.ids)).path
    assert (unquote(urlsplit(page.url).path), status) == (expected, screen.status), page.url
    assert page.locator(screen.shows).count(), f"{screen.id}: nothing matches {screen.shows}"
    # Checked before axe runs: axe itself adds style elements the policy refuses.
    assert not persona.policy_reports, "\n".join(persona.policy_reports)

    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = _audit(page, screen.disabled_rules)
        if violations:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            screenshot = ARTIFACTS / f"{screen.id}-{width}.png"
            page.screenshot(path=screenshot, full_page=True)
            failures.append(_describe(width, violations, screenshot))
    assert not failures, f"{screen.id} ({page.url}):\n" + "\n".join(failures)


def test_the_policy_refuses_axe_as_an_inline_script_tag(chromium, site):
    """Why the audit evaluates axe rather than adding it as a tag: Playwright's
    ``add_script_tag(path=…)`` inlines the file, and the site's policy blocks inline scripts."""
    from playwright.sync_api import Error

    context = chromium.new_context(locale="ko-KR")
    page = context.new_page()
    page.goto(f"{site.url}/")
    with pytest.raises(Error, match="violates the following Content Security Policy directive"):
        page.add_script_tag(path=AXE)
    assert page.evaluate("typeof window.axe") == "undefined"
    page.evaluate(_axe_source())
    assert page.evaluate("typeof window.axe.run") == "function"
    context.close()
