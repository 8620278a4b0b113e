"""Visit records written for every page request (policy §1 나 방문 일시, IP Address)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import VisitRecord

pytestmark = pytest.mark.policy("1 가")


@pytest.mark.policy("1 가")
def test_every_page_request_leaves_a_visit_record_without_query_string(client, db):
    client.get("/?utm=secret-campaign", REMOTE_ADDR="192.0.2.44")
    record = VisitRecord.objects.get()
    assert (record.method, record.path, record.status, record.ip) == ("GET", "/", 200, "192.0.2.44")
    assert record.member is None


def test_visits_of_a_logged_in_member_name_the_member(logged_in_client, member):
    logged_in_client.get(reverse("privacy:policy"))
    assert VisitRecord.objects.filter(member=member, path=reverse("privacy:policy")).exists()


def test_not_found_pages_are_recorded_with_their_status(client, db):
    client.get("/no-such-page/")
    assert VisitRecord.objects.get().status == 404


@pytest.mark.django_db(databases=["default", "archive"])
def test_health_checks_and_static_files_are_not_recorded(client):
    client.get("/healthz")
    client.get("/static/css/site.css")
    assert not VisitRecord.objects.exists()


def test_proxy_address_is_used_only_when_proxies_are_trusted(client, db, settings):
    client.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.3")
    settings.PROXY_COUNT = 1
    client.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.3")
    assert list(VisitRecord.objects.order_by("id").values_list("ip", flat=True)) == [
        "10.0.0.2",
        "198.51.100.3",
    ]


def test_an_overlong_path_is_cut_not_an_error(client, db):
    response = client.get("/" + "a" * 600)
    assert response.status_code == 404
    assert len(VisitRecord.objects.get().path) == 255


@pytest.mark.parametrize(
    "url",
    [
        "/notices/%00/",
        "/support/NX%00/",
        "/support/NX%00/files/1/",
        "/kb/a%00b/",
        "/downloads/x/%ED%8C%A8%EC%B9%98%00/",
    ],
)
def test_a_nul_character_in_the_address_is_a_400_and_no_record(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert not VisitRecord.objects.exists()
