"""Fixtures shared by every test: members made through the real services, real databases."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import services
from accounts.models import Product, User
from core.conditional import rendered_pages
from privacy.selectors import policy_in_force
from tests.live import BACKENDS, fresh_databases, live_portal

# The compliance plugin checks every policy/law marker at collection and, on request, records
# what each test proves; pytester runs its own tests' fake suites.
pytest_plugins = ["tools.compliance.plugin", "pytester"]

# The admin's screens register when the URLconf loads (SimpleAdminConfig); the tests that list
# them at collection, before any request, need them registered first.
admin.autodiscover()

PASSWORD = "plum-orchard-1987!"
STAFF_PASSWORD = "granite-ledger-4471!"


def pytest_collection_modifyitems(items):
    # Sign-up reads the archive database (a withdrawn ID stays taken while archived), so every
    # test that uses the database without naming its databases may use both.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and "db" not in item.fixturenames:
            continue
        if marker is None or "databases" not in marker.kwargs:
            args, kwargs = (marker.args, marker.kwargs) if marker else ((), {})
            both = pytest.mark.django_db(*args, **kwargs, databases=["default", "archive"])
            item.add_marker(both, append=False)


@pytest.fixture(autouse=True)
def _no_page_kept_from_another_test():
    # A test's rolled-back rows give their primary keys to the next test's rows, which a
    # running site never does: a page kept for one test's version 2 is not the next test's.
    rendered_pages.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    # Hashing at the production cost is most of a test run's time; only the tests that prove
    # the production hasher and its parameters (policy §9 가) pay for it.
    if request.node.get_closest_marker("production_hasher") is None:
        settings.PASSWORD_HASHERS = [
            "tests.hashers.FastArgon2PasswordHasher"
            if path == "accounts.hashers.Argon2PasswordHasher"
            else path
            for path in settings.PASSWORD_HASHERS
        ]


@pytest.fixture(autouse=True)
def _attachments_in_a_temporary_folder(settings, tmp_path):
    # Each test stores its members' attachments and its release files apart, never under the
    # project's var/.
    settings.STORAGES = {
        **settings.STORAGES,
        **{
            alias: {
                **settings.STORAGES[alias],
                "OPTIONS": {**settings.STORAGES[alias]["OPTIONS"], "location": tmp_path / alias},
            }
            for alias in ("attachments", "releases")
        },
    }


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest is built by collectstatic at deploy time; tests serve sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def product(db):
    return Product.objects.get_or_create(
        slug="nexcore-framework", defaults={"name": "NEXCORE Framework"}
    )[0]


@pytest.fixture
def policy(db):
    version = policy_in_force()
    assert version is not None, "the data migration loads policy version 1"
    return version


@pytest.fixture
def make_member(db, product, policy):
    def make(
        username="member01", password=PASSWORD, company="Acme Corp", project="Apollo", ip="10.0.0.1"
    ):
        return services.register_member(
            username=username,
            password=password,
            company=company,
            project=project,
            product=product,
            ip=ip,
        )

    return make


@pytest.fixture
def member(make_member):
    return make_member()


@pytest.fixture
def logged_in_client(client, member):
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def reauthed_client(logged_in_client):
    response = logged_in_client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    assert response.status_code == 302
    return logged_in_client


@pytest.fixture(scope="session", params=BACKENDS)
def portal(request, tmp_path_factory):
    """gunicorn with eight workers on fresh databases of each backend, shared by the tests of
    real concurrency and of real logs; visitors choose their address (X-Forwarded-For)."""
    tmp_path = tmp_path_factory.mktemp(f"portal-{request.param}")
    with (
        fresh_databases(request.param, tmp_path, DJANGO_PROXY_COUNT="1") as databases,
        live_portal(databases, tmp_path, workers=8) as portal,
    ):
        yield portal


@pytest.fixture
def make_staff(db):
    def make(username="handler01", role=None, superuser=False, password=STAFF_PASSWORD):
        if superuser:
            return User.objects.create_superuser(username=username, password=password)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def login_as(client, make_staff):
    def login(role=None, superuser=False, username=None):
        user = make_staff(
            username=username or (role or "ops01")[:12], role=role, superuser=superuser
        )
        client.force_login(user)
        return user

    return login
