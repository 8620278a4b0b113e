"""The foundation: security headers, cookies, health check, languages, error pages, deployment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connections
from django.templatetags.static import static
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.policy("9 나")
def test_security_headers_on_every_page(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.policy("9 나")
def test_pages_have_no_inline_script_or_style(client, product):
    for url in (
        "/",
        reverse("accounts:signup"),
        reverse("accounts:login"),
        reverse("privacy:policy"),
    ):
        html = client.get(url).content.decode()
        assert "<script" not in html, url
        assert "<style" not in html and " style=" not in html, url


@pytest.mark.policy("9 나")
def test_session_and_csrf_cookies_are_lax_and_session_is_httponly(logged_in_client):
    client = logged_in_client
    client.get(reverse("accounts:signup"))
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"


@pytest.mark.production_hasher
@pytest.mark.policy("9 가")
def test_argon2_is_the_first_password_hasher():
    assert settings.PASSWORD_HASHERS[0] == "accounts.hashers.Argon2PasswordHasher"


def _manage(*args, **env):
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.policy("9 나")
def test_deploy_check_is_clean_under_https_with_a_real_key():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_HTTPS="1",
        DJANGO_SECRET_KEY="k" + os.urandom(40).hex(),
        DJANGO_ALLOWED_HOSTS="support.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


SCREENS_BEFORE_AND_AFTER_THE_CHECKS = """
from django.contrib import admin
from django.core import checks

before = len(admin.site._registry)
checks.run_checks()
print(before, len(admin.site._registry))
"""


@pytest.mark.infra
def test_commands_start_without_the_admin_screens_and_the_checks_still_check_them():
    result = _manage("shell", "--no-imports", "-c", SCREENS_BEFORE_AND_AFTER_THE_CHECKS)
    assert result.returncode == 0, result.stderr
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after == len(admin.site._registry) > 20


@pytest.mark.policy("9 나")
def test_https_setting_turns_on_hsts_secure_cookies_and_redirect():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DJANGO_HTTPS": "1",
            "DJANGO_SETTINGS_MODULE": "nexcore_support.settings",
        },
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"], result.stderr


@pytest.mark.policy("9 나")
def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


@pytest.mark.django_db(databases=["default", "archive"])
@pytest.mark.infra
def test_healthz_reports_both_databases(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "databases": {"default": "ok", "archive": "ok"}}


@pytest.mark.django_db(databases=["default", "archive"])
@pytest.mark.infra
def test_healthz_is_503_when_a_database_fails(client, monkeypatch):
    archive = connections["archive"]

    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("archive unreachable")

    monkeypatch.setattr(archive, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"
    assert response.json()["databases"]["archive"] == "unavailable"


@pytest.mark.django_db(databases=["default", "archive"])
@pytest.mark.policy("6 가")
def test_archive_database_holds_no_primary_table():
    tables = set(connections["archive"].introspection.table_names())
    assert not tables & {"accounts_user", "accounts_visitrecord", "privacy_consent", "auth_group"}
    assert "accounts_user" in connections["default"].introspection.table_names()


@pytest.mark.infra
def test_korean_is_the_default_language(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ko">' in html
    assert "개인정보처리방침" in html


@pytest.mark.infra
def test_language_switch_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Sign up" in html
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert '<html lang="ko">' in client.get("/").content.decode()


@pytest.mark.law("PIPA §30")
def test_footer_policy_link_is_bold_on_every_page(client, db):
    for url in ("/", reverse("accounts:login"), "/no-such-page/"):
        html = client.get(url).content.decode()
        assert re.search(r'<a class="policy-link" href="/privacy/">', html), url
    css = (ROOT / "static/css/site.css").read_text()
    assert re.search(r"\.policy-link\s*{[^}]*font-weight:\s*700", css)


@pytest.mark.parametrize(
    "language, text", [("ko", "페이지를 찾을 수 없습니다"), ("en", "Page not found")]
)
@pytest.mark.infra
def test_friendly_404_in_both_languages(client, db, language, text):
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.parametrize(
    "template", ["400.html", "403.html", "403_csrf.html", "404.html", "429.html", "500.html"]
)
@pytest.mark.infra
def test_error_pages_render_without_a_request(template):
    from django.template.loader import render_to_string

    assert "NEXCORE" in render_to_string(template)


@pytest.mark.infra
def test_collectstatic_builds_a_compressed_manifest(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/site.css" in manifest
    assert list(tmp_path.glob("css/site.*.css.gz"))


@pytest.mark.policy("3")
def test_no_external_assets_in_templates():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template


@pytest.mark.infra
def test_every_page_names_the_site_icon_and_favicon_ico_leads_to_it(client, db):
    icon = static("img/favicon.svg")
    assert f'<link rel="icon" href="{icon}"' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, icon)
    assert "<svg" in Path(finders.find("img/favicon.svg")).read_text()


@pytest.mark.policy("1 가")
def test_browser_features_the_portal_never_uses_are_refused(client, db):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


SIGNUP_FIELDS = (
    b"username=badbytes01&password1=plum-orchard-1987%21&password2=plum-orchard-1987%21"
    b"&product=nexcore-framework&agree_policy=on&adult=on&project=Apollo&company="
)


@pytest.mark.parametrize(
    "company",
    [b"%FF%FE%C3%28", b"\xff\xfe\xc3\x28", b"%C3"],
    ids=["percent-encoded", "raw", "truncated"],
)
@pytest.mark.policy("9")
def test_a_form_that_is_not_utf8_is_refused_with_400_and_saves_nothing(client, product, company):
    from accounts.models import User

    response = client.post(
        reverse("accounts:signup"),
        data=SIGNUP_FIELDS + company,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not User.objects.filter(username="badbytes01").exists()


@pytest.mark.policy("9")
def test_a_multipart_form_that_is_not_utf8_is_refused_with_400(client, product):
    boundary = "nexcoreboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="company"\r\n\r\n'.encode()
        + b"\xff\xfe\xc3\x28"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        reverse("accounts:signup"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400


@pytest.mark.policy("9")
def test_a_query_string_that_is_not_utf8_is_refused_with_400(client, db):
    assert client.get("/notices/", QUERY_STRING="page=%FF").status_code == 400


@pytest.mark.policy("1 가")
def test_korean_text_in_a_form_is_accepted(client, product):
    from accounts.models import User

    response = client.post(
        reverse("accounts:signup"),
        data=SIGNUP_FIELDS + "한빛 시스템".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert User.objects.get(username="badbytes01").company == "한빛 시스템"
