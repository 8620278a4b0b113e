"""Settings of the NEXCORE Support Portal.

The one settings module: every knob comes from the environment with a safe default (names in
CONTRACT.md, Environment). Nothing here differs between development, tests and production
except what the environment says.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A comma-separated list of networks in CIDR notation (``10.0.0.0/8, 2001:db8::/32``)."""
    networks = []
    for item in env_list(name, ""):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a network in CIDR notation such as 10.0.0.0/8 "
                f"(a network address with no host bits set): {exc}"
            ) from exc
    return tuple(networks)


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))

# Core: the key comes from the environment or from the file `make run` writes once into var/.
DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY and SECRET_KEY_FILE.exists():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY, or run `make run` once to generate var/secret_key."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    # django.contrib.admin, its screens registered by the URLconf, not at every start-up.
    "staff.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "privacy",
    "staff",
    "incidents",
    "support",
    "selfservice",
    "retention",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.RejectInvalidTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The staff side: the admin's networks, then the idle timeout, then the second factor and
    # password age. After messages (an idle logout says why) and the security headers (their
    # 404 and redirects carry them too).
    "staff.middleware.AdminNetworkMiddleware",
    "staff.middleware.StaffIdleTimeoutMiddleware",
    "staff.middleware.StaffSecurityMiddleware",
    "accounts.middleware.VisitRecordMiddleware",
    "privacy.middleware.ReconsentMiddleware",
    "accounts.middleware.FirstPageMiddleware",
    # Last, as django-axes requires: it turns a lockout raised anywhere above into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nexcore_support.urls"
WSGI_APPLICATION = "nexcore_support.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "privacy.context_processors.policy_change",
                "support.context_processors.unread_answers_count",
            ],
        },
    },
]


# Databases: the primary and the separate archive of policy §6 가; SQLite files by default.
def database(url_variable: str, sqlite_file: str) -> dict:
    url = os.environ.get(url_variable, "").strip()
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / sqlite_file,
        # Kept open between requests: opening a connection (with its PRAGMAs) for each request
        # and closing it after (the last connection to a WAL database to close checkpoints it)
        # cost the home page a fifth of its throughput once every request wrote a visit record.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # secure_delete: freed pages are zeroed, so deleted rows leave no bytes (policy §6 나).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {
    "default": database("DATABASE_URL", "primary.sqlite3"),
    "archive": database("ARCHIVE_DATABASE_URL", "archive.sqlite3"),
}
DATABASE_ROUTERS = ["retention.routers.ArchiveRouter"]

# Authentication: policy §9 가 (passwords hashed with Argon2) and 나 (defence against guessing).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Argon2id's cost: OWASP's minimum unless raised (timings in README); never less (accounts.hashers).
ARGON2_MEMORY_KIB = env_int("ARGON2_MEMORY_KIB", 19456)
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2)
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "company")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator"},
    # Policy §9 다: staff may not go back to one of their last STAFF_PASSWORD_HISTORY passwords.
    {"NAME": "staff.validators.StaffPasswordReuseValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Policy §7 본인 확인 절차: how long a password re-check unlocks the member's data pages.
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 10)
# Policy §2 가 가입횟수 제한: accounts one address may open in 24 hours.
SIGNUPS_PER_IP_PER_DAY = env_int("SIGNUPS_PER_IP_PER_DAY", 5)
# Reverse proxies in front of gunicorn that append to X-Forwarded-For; 0 trusts none.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)

# django-axes: 5 failures for one ID from one address lock that pair out for 30 minutes, and
# 30 failures from one address, whatever the IDs, lock the address out (credential stuffing).
AXES_HANDLER = "accounts.lockout.AddressAwareHandler"
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 30
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_CLIENT_STR_CALLABLE = "accounts.lockout.anonymous_client_str"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# Successful logins are already kept as identity-verification records (policy §1 나).
AXES_DISABLE_ACCESS_LOG = True

# Privacy policy §12: days of notice before a change takes effect (material: §1/§3/§5 changes).
POLICY_NOTICE_DAYS = env_int("POLICY_NOTICE_DAYS", 7)
POLICY_MATERIAL_NOTICE_DAYS = env_int("POLICY_MATERIAL_NOTICE_DAYS", 30)

# Sessions: rows carry their member so that withdrawal can end every one of them.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_NAME = "sessionid"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "csrftoken"
CSRF_COOKIE_AGE = 52 * 7 * 24 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Messages live in the session, so they need no cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Policy §8: every cookie the site sets, its purpose and lifetime in seconds (None: until the
# browser closes). The cookie page is generated from this list, and a test fails if the site
# sets any cookie missing from it.
COOKIE_DECLARATION = [
    {
        "name": SESSION_COOKIE_NAME,
        "purpose": _("Keeps you logged in and remembers a form in progress."),
        "max_age": SESSION_COOKIE_AGE,
    },
    {
        "name": CSRF_COOKIE_NAME,
        "purpose": _("Protects the site's forms against cross-site request forgery."),
        "max_age": CSRF_COOKIE_AGE,
    },
    {
        "name": LANGUAGE_COOKIE_NAME,
        "purpose": _("Remembers the language you chose."),
        "max_age": LANGUAGE_COOKIE_AGE,
    },
]
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Security headers; DJANGO_HTTPS=1 when a TLS-terminating proxy sits in front.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the portal uses, refused to every page (Permissions-Policy).
PERMISSIONS_POLICY_DENIED = (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "browsing-topics",
)  # fmt: skip
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# HSTS preloading is a commitment to browser vendors that outlives this deployment: ops decide it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content Security Policy: nothing inline and nothing from elsewhere (closed networks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Languages and time: Korean first, English complete; dates in Asia/Seoul.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise so gunicorn alone serves the site.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Members' attachments: outside STATIC_ROOT and any URL, encrypted before they are written
# (support.files); point "attachments" at S3-compatible storage with django-storages by settings.
ATTACHMENT_DIR = Path(os.environ.get("ATTACHMENT_DIR", VAR_DIR / "attachments"))
# Release files: public to no URL either; the download view checks entitlement and streams them.
RELEASE_DIR = Path(os.environ.get("RELEASE_DIR", VAR_DIR / "releases"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": ATTACHMENT_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "releases": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": RELEASE_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}

# Staff side (policy §9 다/라, 안전성 확보조치 기준): staff passwords renewed and not reused, a
# second factor, the monthly access review's thresholds, and the deadline of members' requests.
STAFF_PASSWORD_MAX_AGE_DAYS = env_int("STAFF_PASSWORD_MAX_AGE_DAYS", 90)
STAFF_PASSWORD_HISTORY = env_int("STAFF_PASSWORD_HISTORY", 5)
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", not DEBUG)
ACCESS_REVIEW_BULK_THRESHOLD = env_int("ACCESS_REVIEW_BULK_THRESHOLD", 50)
STAFF_WORKING_HOURS = (env_int("STAFF_WORK_START_HOUR", 9), env_int("STAFF_WORK_END_HOUR", 18))
STAFF_WORKING_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday, in TIME_ZONE
PRIVACY_REQUEST_DAYS = env_int("PRIVACY_REQUEST_DAYS", 10)
# PIPA §38 ⑤: how long after a refusal the member may object to it.
PRIVACY_OBJECTION_DAYS = env_int("PRIVACY_OBJECTION_DAYS", 90)
OTP_TOTP_ISSUER = "NEXCORE Support"

# The officer's compliance page reads the last proof report (`make compliance`) from here.
COMPLIANCE_REPORT_DIR = Path(os.environ.get("COMPLIANCE_REPORT_DIR", VAR_DIR / "compliance"))

# Access control of the staff side (안전성 확보조치 기준 제6조): a staff session ends after
# this many minutes without a request (members keep SESSION_HOURS), and, when networks are
# listed (CIDR, comma-separated), the admin answers 404 to every address outside them.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30)
if STAFF_IDLE_MINUTES < 1:
    raise ImproperlyConfigured(
        f"STAFF_IDLE_MINUTES must be at least 1 minute, not {STAFF_IDLE_MINUTES}."
    )
ADMIN_ALLOWED_NETWORKS = env_networks("ADMIN_ALLOWED_NETWORKS")

# Support desk (policy §2: consultation and complaint handling): attachments, the reopening
# window, automatic closing, and first-response targets in working hours per category.
SUPPORT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
SUPPORT_ATTACHMENTS_PER_MESSAGE = 5
SUPPORT_REOPEN_DAYS = 14
SUPPORT_CLOSE_AFTER_DAYS = 14
SUPPORT_FIRST_RESPONSE_HOURS = {"defect": 4, "complaint": 4, "question": 8, "request": 16}
# Uploads over 256 KB stream to a temporary file, never into memory; a request may carry the
# largest allowed set of attachments and its form, and anything larger is refused with 413.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
MAX_REQUEST_BYTES = SUPPORT_ATTACHMENTS_PER_MESSAGE * SUPPORT_ATTACHMENT_MAX_BYTES + 1024 * 1024

# Self-service (policy §5 계약·공급 기록): the largest release file staff may upload, and the
# admin pages that take one, whose requests may be that large (all others keep MAX_REQUEST_BYTES).
RELEASE_FILE_MAX_BYTES = env_int("RELEASE_FILE_MAX_BYTES", 2 * 1024**3)
LARGE_UPLOAD_PATHS = ("/admin/selfservice/release",)

# Account recovery without e-mail (policy §1 나, §10): the support center's contact, as the
# policy in force states it; a test keeps the two in agreement.
SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "02-6400-6123")
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "nexcore4u@sk.com")
# When the phone is answered, as members should read it ("평일 09:00–18:00, 점심 12–13시 제외");
# empty: the working hours above, on weekdays.
SUPPORT_HOURS = os.environ.get("SUPPORT_HOURS", "").strip()

# Logging: to stderr only. No ID, password or address ever reaches a log line; django-axes'
# own messages are anonymised by AXES_CLIENT_STR_CALLABLE and kept to warnings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "core.logs.RedactAddresses"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_addresses"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "nexcore": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
