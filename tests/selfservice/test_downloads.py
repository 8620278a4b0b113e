"""Members' downloads: their product's releases, entitlement, ranges, and the supply records."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.storage import storages
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import Product
from retention.registry import category, due_date
from selfservice.models import Download, Release, ReleaseFile
from selfservice.ranges import ByteRange, Unsatisfiable, requested_range
from selfservice.services.contracts import link_member
from staff.roles import CONTRACT_MANAGER

pytestmark = pytest.mark.feature

PATCH = bytes(range(256)) * 40  # 10,240 bytes, every offset distinguishable
LIST = reverse("downloads:list")


def release_url(release) -> str:
    return reverse("downloads:release", args=[release.product.slug, release.version])


def file_url(release, name="patch.zip") -> str:
    item = release.files.get(name=name)
    return reverse("downloads:file", args=[release.product.slug, release.version, item.pk])


def body(response) -> bytes:
    # Read to the end, the test client closes the response (and the file) itself.
    return b"".join(response.streaming_content)


def close(response) -> None:
    """Close a response not read to the end (its file), as the test client would: without
    closing the test's database connection on request_finished."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def patch_release(make_release):
    return make_release("3.2.1", files={"patch.zip": PATCH})


@pytest.fixture
def other_product(db):
    return Product.objects.create(slug="acme-scheduler", name="Acme Scheduler")


@pytest.mark.policy("2 나")
def test_the_list_shows_the_published_releases_of_the_members_product_newest_first(
    logged_in_client, make_release, other_product
):
    make_release("3.1.0", released_on=datetime.date(2026, 1, 10))
    make_release("3.2.0", released_on=datetime.date(2026, 3, 2))
    make_release("3.3.0-beta", released_on=datetime.date(2026, 4, 1), published=False)
    make_release("9.9.9", product=other_product)
    response = logged_in_client.get(LIST)
    assert response.status_code == 200
    listed = [release.version for release in response.context["page"].object_list]
    assert listed == ["3.2.0", "3.1.0"]


def test_the_member_navigation_links_to_the_downloads(logged_in_client):
    assert f'href="{LIST}"' in logged_in_client.get(reverse("support:list")).content.decode()


@pytest.mark.policy("5 나")
def test_an_entitled_member_downloads_the_exact_bytes_and_one_supply_record_is_kept(
    logged_in_client, member, patch_release
):
    response = logged_in_client.get(file_url(patch_release), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert body(response) == PATCH
    assert response["Content-Length"] == str(len(PATCH))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="patch.zip"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert "sandbox" in response["Content-Security-Policy"]
    record = Download.objects.get()
    assert (record.member, record.release, record.ip) == (member, patch_release, "203.0.113.9")
    assert (record.product, record.version, record.file_name) == (
        "NEXCORE Framework",
        "3.2.1",
        "patch.zip",
    )


@pytest.mark.policy("1 가")
def test_a_supply_record_holds_only_what_the_policy_lists_and_nothing_else_of_the_request(
    logged_in_client, patch_release
):
    # Policy §1 가: the member's ID, and what the service generates as it is used — the IP
    # Address and the record of the service used (what was supplied, and when). Not the
    # browser, the page it came from, or the address's query string.
    body(
        logged_in_client.get(
            file_url(patch_release) + "?campaign=zq9-mail",
            REMOTE_ADDR="203.0.113.9",
            HTTP_USER_AGENT="zq9-agent/1.0",
            HTTP_REFERER="https://zq9-referrer.example/",
            HTTP_ACCEPT_LANGUAGE="zq9",
        )
    )
    (row,) = Download.objects.values()
    assert set(row) == {
        "id", "time", "ip", "member_id", "release_id", "product", "version", "file_name"
    }  # fmt: skip
    stored = " ".join(str(value) for value in row.values())
    assert "zq9" not in stored
    assert row["ip"] == "203.0.113.9"


@pytest.mark.policy("5 나")
def test_the_supply_record_keeps_what_was_supplied_after_the_release_is_gone(
    logged_in_client, patch_release
):
    body(logged_in_client.get(file_url(patch_release)))
    patch_release.delete()
    record = Download.objects.get()
    assert record.release is None
    assert (record.product, record.version, record.file_name) == (
        "NEXCORE Framework",
        "3.2.1",
        "patch.zip",
    )


def test_a_non_ascii_file_name_is_kept_for_the_saved_file(logged_in_client, make_release):
    release = make_release("3.2.2", files={"패치 3.2.2.zip": b"PK"})
    response = logged_in_client.get(file_url(release, "패치 3.2.2.zip"))
    assert "filename*=utf-8''%ED%8C%A8%EC%B9%98%203.2.2.zip" in response["Content-Disposition"]
    assert body(response) == b"PK"


def test_a_covered_only_release_is_refused_to_an_uncovered_member_saying_why(
    logged_in_client, make_release, settings
):
    release = make_release("4.0.0", audience=Release.Audience.COVERED, files={"patch.zip": PATCH})
    for url in (release_url(release), file_url(release)):
        response = logged_in_client.get(url)
        assert response.status_code == 403
        assert response.context["refusal"] == "not_covered"
        page = response.content.decode()
        assert settings.SUPPORT_PHONE in page
        assert reverse("support:new") in page
    assert not Download.objects.exists()


def test_the_list_marks_covered_only_releases_for_an_uncovered_member(
    logged_in_client, make_release
):
    make_release("4.0.0", audience=Release.Audience.COVERED)
    response = logged_in_client.get(LIST)
    assert response.context["covered"] is False
    assert 'class="badge"' in response.content.decode()


@pytest.mark.policy("5 나")
def test_a_covered_only_release_opens_once_staff_link_the_member_to_a_contract(
    logged_in_client, member, make_release, make_contract, make_staff
):
    release = make_release("4.0.0", audience=Release.Audience.COVERED, files={"patch.zip": PATCH})
    assert logged_in_client.get(file_url(release)).status_code == 403
    manager = make_staff(username="contracts1", role=CONTRACT_MANAGER)
    link_member(contract=make_contract(), member=member, by=manager, ip="10.0.0.5")
    assert logged_in_client.get(release_url(release)).status_code == 200
    response = logged_in_client.get(file_url(release))
    assert response.status_code == 200
    assert body(response) == PATCH
    assert Download.objects.filter(member=member, release=release).count() == 1


def test_a_contract_that_has_ended_does_not_entitle(
    logged_in_client, member, make_release, make_contract, cover
):
    release = make_release("4.0.0", audience=Release.Audience.COVERED, files={"patch.zip": PATCH})
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cover(member, make_contract(ends_on=yesterday))
    assert logged_in_client.get(file_url(release)).status_code == 403


def test_a_contract_for_another_product_does_not_entitle(
    logged_in_client, member, make_release, make_contract, cover, other_product
):
    release = make_release("4.0.0", audience=Release.Audience.COVERED, files={"patch.zip": PATCH})
    cover(member, make_contract(products=[other_product]))
    assert logged_in_client.get(file_url(release)).status_code == 403


def test_a_release_of_another_product_is_refused(logged_in_client, make_release, other_product):
    release = make_release("1.0.0", product=other_product, files={"patch.zip": PATCH})
    for url in (release_url(release), file_url(release)):
        response = logged_in_client.get(url)
        assert response.status_code == 403
        assert response.context["refusal"] == "other_product"
    assert not Download.objects.exists()


@pytest.mark.parametrize(
    "header, status, content_range, part",
    [
        ("bytes=10-19", 206, "bytes 10-19/10240", PATCH[10:20]),
        ("bytes=10240-", 416, "bytes */10240", b""),
        ("bytes=10000-", 206, "bytes 10000-10239/10240", PATCH[10000:]),
        ("bytes=-100", 206, "bytes 10140-10239/10240", PATCH[-100:]),
        ("bytes=-99999", 206, "bytes 0-10239/10240", PATCH),
        ("bytes=0-99999", 206, "bytes 0-10239/10240", PATCH),
        ("bytes=-0", 416, "bytes */10240", b""),
        ("bytes=99999999999999999999999999-", 416, "bytes */10240", b""),
    ],
)
def test_a_single_range_is_answered_with_exactly_its_bytes(
    logged_in_client, patch_release, header, status, content_range, part
):
    response = logged_in_client.get(file_url(patch_release), HTTP_RANGE=header)
    assert response.status_code == status
    assert response["Content-Range"] == content_range
    if status == 206:
        assert response["Content-Length"] == str(len(part))
        assert body(response) == part


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "bytes=20-10", "bytes=abc", "items=0-1", "bytes=-", "bytes 0-1"]
)
def test_several_ranges_or_a_malformed_header_get_the_whole_file(
    logged_in_client, patch_release, header
):
    response = logged_in_client.get(file_url(patch_release), HTTP_RANGE=header)
    assert response.status_code == 200
    assert not response.has_header("Content-Range")
    assert body(response) == PATCH


def test_a_range_with_an_if_range_of_another_version_gets_the_whole_file(
    logged_in_client, patch_release
):
    url = file_url(patch_release)
    whole = logged_in_client.get(url)
    body(whole)
    etag = whole["ETag"]
    resumed = logged_in_client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=etag)
    assert (resumed.status_code, body(resumed)) == (206, PATCH[100:])
    changed = logged_in_client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"0123abcd"')
    assert (changed.status_code, body(changed)) == (200, PATCH)


@pytest.mark.policy("5 나")
def test_a_download_resumed_in_ranges_is_one_supply_record(logged_in_client, patch_release):
    url = file_url(patch_release)
    body(logged_in_client.get(url, HTTP_RANGE="bytes=0-4095"))
    body(logged_in_client.get(url, HTTP_RANGE="bytes=4096-8191"))
    body(logged_in_client.get(url, HTTP_RANGE="bytes=8192-"))
    assert Download.objects.count() == 1
    body(logged_in_client.get(url))
    assert Download.objects.count() == 2


@pytest.mark.policy("5 나")
def test_a_head_request_supplies_nothing_and_writes_no_record(logged_in_client, patch_release):
    response = logged_in_client.head(file_url(patch_release))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(PATCH))
    close(response)
    assert not Download.objects.exists()


@pytest.mark.policy("5 나")
def test_a_file_missing_from_the_disk_is_not_found_and_no_record(logged_in_client, patch_release):
    item = patch_release.files.get()
    storages["releases"].delete(item.storage_name)
    assert logged_in_client.get(file_url(patch_release)).status_code == 404
    assert not Download.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/downloads/nexcore-framework/9.9.9/",
        "/downloads/nexcore-framework/9.9.9/{pk}/",
        "/downloads/nexcore-framework/3.2.1/999999/",
        "/downloads/nexcore-framework/3.2.1/99999999999999999999999999/",
        "/downloads/no-such-product/3.2.1/",
        "/downloads/no-such-product/3.2.1/{pk}/",
        "/downloads/nexcore-framework/3.3.0-beta/",
        "/downloads/nexcore-framework/3.3.0-beta/{beta}/",
        "/downloads/nexcore-framework/3.2.1%2F..%2F..%2F/{pk}/",
        "/downloads/nexcore-framework/3.2.1/{pk}/..%2F..%2Fsettings.py",
    ],
)
def test_unknown_or_unpublished_releases_and_files_are_not_found(
    logged_in_client, patch_release, make_release, url
):
    beta = make_release("3.3.0-beta", published=False, files={"beta.zip": b"beta"})
    url = url.format(pk=patch_release.files.get().pk, beta=beta.files.get().pk)
    assert logged_in_client.get(url).status_code == 404
    assert not Download.objects.exists()


def test_a_file_of_another_release_is_not_found_under_this_one(logged_in_client, make_release):
    first = make_release("3.2.1", files={"patch.zip": PATCH})
    second = make_release("3.2.2", files={"other.zip": b"other"})
    other = second.files.get()
    url = reverse("downloads:file", args=[first.product.slug, first.version, other.pk])
    assert logged_in_client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_staff_are_not_members(
    client, patch_release, login_as
):
    for url in (LIST, release_url(patch_release), file_url(patch_release)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    login_as(role="support_agent")
    assert client.get(file_url(patch_release)).status_code == 404


@pytest.mark.policy("9 나")
def test_the_release_page_shows_the_notes_safely_and_each_files_sha256(
    logged_in_client, make_release
):
    release = make_release(
        "3.2.1",
        notes="## Fixed\n\n- The nightly batch no longer stops.<script>alert(1)</script>",
        files={"patch.zip": PATCH},
    )
    page = logged_in_client.get(release_url(release)).content.decode()
    assert "<h2" in page and "The nightly batch no longer stops." in page
    assert "<script>alert" not in page
    assert ReleaseFile.objects.get().sha256 in page
    assert file_url(release) in page


@pytest.mark.infra
def test_the_pages_take_a_fixed_number_of_queries(
    logged_in_client, make_release, django_assert_max_num_queries
):
    for minor in range(8):
        make_release(f"3.{minor}.0", files={"a.zip": b"a", "b.zip": b"b"})
    # The session, the member, the policy banner and the visit record are the base's share.
    with django_assert_max_num_queries(12):
        assert logged_in_client.get(LIST).status_code == 200
    release = Release.objects.select_related("product").get(version="3.7.0")
    page, download = release_url(release), file_url(release, "a.zip")
    with django_assert_max_num_queries(10):
        assert logged_in_client.get(page).status_code == 200
    with django_assert_max_num_queries(7):
        body(logged_in_client.get(download))


@pytest.mark.policy("5 나", "7")
def test_downloads_are_in_the_members_export_and_on_my_data_with_their_deletion_date(
    reauthed_client, patch_release
):
    body(reauthed_client.get(file_url(patch_release), REMOTE_ADDR="203.0.113.9"))
    record = Download.objects.get()
    export = json.loads(reauthed_client.get(reverse("accounts:export")).content)
    assert export["downloads"] == [
        {
            "time": timezone.localtime(record.time).isoformat(),
            "product": "NEXCORE Framework",
            "version": "3.2.1",
            "file_name": "patch.zip",
            "ip": "203.0.113.9",
        }
    ]
    page = reauthed_client.get(reverse("accounts:me")).content.decode()
    due = due_date(category("payment"), record.time)
    assert due.year - timezone.localtime(record.time).year == 5
    assert "patch.zip" in page and f"{due:%Y-%m-%d}" in page


@pytest.mark.parametrize(
    "header, size, expected",
    [
        (None, 100, None),
        ("bytes=0-0", 100, ByteRange(0, 0)),
        ("BYTES=5-", 100, ByteRange(5, 99)),
        ("bytes=-1", 100, ByteRange(99, 99)),
        ("bytes=90-200", 100, ByteRange(90, 99)),
        ("bytes=1-2, 4-5", 100, None),
        ("bytes=--1", 100, None),
        ("bytes=1-2-3", 100, None),
        ("bytes=" + "9" * 5000 + "-", 100, Unsatisfiable),
        ("bytes=0-" + "9" * 5000, 100, ByteRange(0, 99)),
        ("bytes=0-", 0, Unsatisfiable),
        ("bytes=-5", 0, Unsatisfiable),
    ],
)
def test_requested_range(header, size, expected):
    if expected is Unsatisfiable:
        with pytest.raises(Unsatisfiable):
            requested_range(header, size=size)
    else:
        assert requested_range(header, size=size) == expected
