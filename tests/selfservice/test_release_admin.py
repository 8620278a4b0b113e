"""Releases in admin and the add_release_file command: files streamed, hashed and checked,
nothing half-stored; who downloaded what, read-only and access-recorded."""

from __future__ import annotations

import hashlib
import os
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.middleware import RequestSizeLimitMiddleware
from selfservice.exceptions import ReleaseFileRejected
from selfservice.models import Download, Release, ReleaseFile
from selfservice.services import releases
from staff.models import AccessRecord
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from tests.live import fresh_databases

pytestmark = pytest.mark.feature

PATCH = os.urandom(300_000)  # past FILE_UPLOAD_MAX_MEMORY_SIZE: a temporary file, as in use
RELEASES = reverse("admin:selfservice_release_changelist")
ADD = reverse("admin:selfservice_release_add")
DOWNLOADS = reverse("admin:selfservice_download_changelist")


def stored_files() -> list[str]:
    location = storages["releases"].location
    return [
        os.path.join(folder, name) for folder, _dirs, names in os.walk(location) for name in names
    ]


def release_form(product, *, version="3.2.1", files=(), initial=(), delete=()) -> dict:
    """The release page's POST: the release's fields and one inline row per file (``files``:
    (name, upload) to add; ``initial``: existing files, ``delete``: those to delete)."""
    data = {
        "product": product.pk,
        "version": version,
        "released_on": "2026-03-02",
        "audience": Release.Audience.PRODUCT_USERS,
        "published": "on",
        "notes": "## Fixed\n\n- The nightly batch no longer stops.",
        "files-TOTAL_FORMS": str(len(initial) + len(files)),
        "files-INITIAL_FORMS": str(len(initial)),
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(initial):
        data[f"files-{index}-id"] = item.pk
        data[f"files-{index}-release"] = item.release_id
        if item in delete:
            data[f"files-{index}-DELETE"] = "on"
    for index, (name, upload) in enumerate(files, start=len(initial)):
        data[f"files-{index}-name"] = name
        data[f"files-{index}-upload"] = upload
    return data


def upload(name="patch.zip", content=PATCH) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/zip")


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER, PRIVACY_OFFICER])
def test_the_roles_that_talk_to_members_open_the_releases(client, login_as, role, make_release):
    make_release()
    login_as(role=role)
    assert client.get(RELEASES).status_code == 200
    assert client.get(ADD).status_code == 200


def test_a_contract_manager_cannot_open_the_releases(client, login_as, make_release):
    release = make_release()
    login_as(role=CONTRACT_MANAGER)
    assert client.get(RELEASES).status_code == 403
    assert (
        client.get(reverse("admin:selfservice_release_change", args=[release.pk])).status_code
        == 403
    )
    assert client.get(DOWNLOADS).status_code == 403


def test_an_upload_is_stored_with_its_sha256_and_size_shown_to_members(
    client, login_as, product, member
):
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD, release_form(product, files=[("", upload())]))
    assert response.status_code == 302, response.context and response.context["errors"]
    item = ReleaseFile.objects.get()
    assert (item.name, item.size) == ("patch.zip", len(PATCH))
    assert item.sha256 == hashlib.sha256(PATCH).hexdigest()
    with storages["releases"].open(item.storage_name) as stored:
        assert stored.read() == PATCH
    assert "patch" not in item.storage_name
    client.force_login(member)
    page = client.get(reverse("downloads:release", args=[product.slug, "3.2.1"]))
    assert item.sha256 in page.content.decode()


def test_the_name_staff_give_replaces_the_uploads_own(client, login_as, product):
    login_as(role=SUPPORT_AGENT)
    client.post(ADD, release_form(product, files=[("NEXCORE-3.2.1.zip", upload("tmp.bin"))]))
    assert ReleaseFile.objects.get().name == "NEXCORE-3.2.1.zip"


def test_a_file_too_large_is_a_form_error_and_nothing_is_stored(
    client, login_as, product, settings
):
    settings.RELEASE_FILE_MAX_BYTES = 1000
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD, release_form(product, files=[("", upload())]))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].has_error("upload", code="too_large")
    assert not Release.objects.exists() and not ReleaseFile.objects.exists()
    assert stored_files() == []


@pytest.fixture
def draft(make_release):
    return make_release(published=False)


def test_a_file_that_grows_past_the_limit_while_copied_leaves_nothing(draft, settings):
    settings.RELEASE_FILE_MAX_BYTES = 1000
    grown = ContentFile(b"x" * 5000, name="grown.bin")
    grown.size = 10  # as declared when checked; the bytes copied are what count
    with pytest.raises(ReleaseFileRejected) as refused:
        releases.add_release_file(release=draft, upload=grown)
    assert refused.value.code == "too_large"
    assert stored_files() == [] and not ReleaseFile.objects.exists()


@pytest.mark.parametrize(
    "name, code",
    [
        ("../../etc/passwd", "name_path"),
        ("bin/patch.zip", "name_path"),
        ("..\\patch.zip", "name_path"),
        ("patch..zip", "name_path"),
        ("patch\x00.zip", "name_control"),
        ("patch\n.zip", "name_control"),
        ("\u202egpj.exe", "name_control"),
        ("patch\u2028.zip", "name_control"),
        ("   ", "name_empty"),
        ("x" * 256, "name_long"),
    ],
)
@pytest.mark.policy("9 나")
def test_a_name_that_could_be_read_as_a_path_or_hides_characters_is_refused(name, code):
    with pytest.raises(ReleaseFileRejected) as refused:
        releases.checked_name(name)
    assert refused.value.code == code


def test_names_are_kept_as_given_in_composed_form():
    decomposed = "\u1111\u1162\u110e\u1175.zip"  # 패치.zip as macOS spells it
    assert releases.checked_name(f" {decomposed} ") == "패치.zip"


@pytest.mark.parametrize("name", ["../../etc/passwd", "bin/patch.zip", "\u202egpj.exe"])
def test_the_admin_refuses_such_a_name_and_stores_nothing(client, login_as, product, name):
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD, release_form(product, files=[(name, upload())]))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].has_error("name")
    assert not ReleaseFile.objects.exists() and stored_files() == []


@pytest.mark.parametrize("version", ["3.2.1/../x", "..", ".hidden", "3.2 1", ""])
def test_a_version_that_does_not_fit_in_an_address_is_refused(client, login_as, product, version):
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD, release_form(product, version=version))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["version"]
    assert not Release.objects.exists()


def test_a_failure_to_write_the_row_removes_the_stored_file(draft):
    with (
        mock.patch.object(ReleaseFile.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        releases.add_release_file(release=draft, upload=ContentFile(PATCH, name="a.zip"))
    assert stored_files() == []


def test_deleting_a_file_removes_its_bytes_once_committed(
    client, login_as, product, make_release, django_capture_on_commit_callbacks
):
    release = make_release(files={"old.zip": b"old", "keep.zip": b"keep"})
    old, keep = release.files.get(name="old.zip"), release.files.get(name="keep.zip")
    login_as(role=SUPPORT_AGENT)
    url = reverse("admin:selfservice_release_change", args=[release.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, release_form(product, initial=[keep, old], delete=[old]))
        assert response.status_code == 302
        assert storages["releases"].exists(old.storage_name), "kept until the commit"
    for callback in callbacks:
        callback()
    assert list(release.files.all()) == [keep]
    assert not storages["releases"].exists(old.storage_name)
    assert storages["releases"].exists(keep.storage_name)


def test_existing_files_are_shown_read_only(client, login_as, make_release):
    release = make_release(files={"patch.zip": PATCH})
    login_as(role=SUPPORT_AGENT)
    page = client.get(reverse("admin:selfservice_release_change", args=[release.pk]))
    formset = page.context["inline_admin_formsets"][0]
    assert not formset.has_change_permission
    assert hashlib.sha256(PATCH).hexdigest() in page.content.decode()


def large_request(path: str, length: int):
    request = RequestFactory().post(path, data=b"", content_type="multipart/form-data")
    request.META["CONTENT_LENGTH"] = str(length)
    return RequestSizeLimitMiddleware(lambda request: HttpResponse("passed"))(request)


@pytest.mark.django_db
def test_only_the_release_pages_take_a_request_the_size_of_a_release_file(settings):
    settings.RELEASE_FILE_MAX_BYTES = 200 * 1024 * 1024
    big = settings.MAX_REQUEST_BYTES + 1
    assert large_request(ADD, big).status_code == 200
    assert large_request("/admin/selfservice/release/7/change/", big).status_code == 200
    limit = settings.RELEASE_FILE_MAX_BYTES + 1024 * 1024
    assert large_request(ADD, limit).status_code == 200
    assert large_request(ADD, limit + 1).status_code == 413
    for path in ("/support/new/", "/admin/support/inquiry/enter/", "/admin/", "/downloads/"):
        assert large_request(path, big).status_code == 413


def test_the_command_adds_a_file_and_exits_0(tmp_path, make_release, capsys):
    release = make_release(published=False)
    source = tmp_path / "NEXCORE-3.2.1.zip"
    source.write_bytes(PATCH)
    call_command("add_release_file", release.product.slug, release.version, str(source))
    item = release.files.get()
    assert (item.name, item.size) == ("NEXCORE-3.2.1.zip", len(PATCH))
    assert item.sha256 == hashlib.sha256(PATCH).hexdigest()
    assert item.sha256 in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["nexcore-framework", "9.9.9", "{file}"], "No release 9.9.9"),
        (["no-such-product", "3.2.1", "{file}"], "No release 3.2.1"),
        (["nexcore-framework", "3.2.1", "{missing}"], "is not a file"),
        (["nexcore-framework", "3.2.1", "{folder}"], "is not a file"),
        (["nexcore-framework", "3.2.1", "{file}", "--name", "../patch.zip"], "“..”"),
        (["nexcore-framework", "3.2.1", "{file}", "--name", "a/b.zip"], "“/”"),
        (["nexcore-framework", "3.2.1", "{file}", "--name", ""], "needs a name"),
        (["nexcore-framework", "3.2.1", "{empty}"], "empty"),
        (["nexcore-framework", "3.2.1", "{file}"], "larger than"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_code_2_storing_nothing(
    tmp_path, make_release, settings, arguments, message
):
    make_release(published=False)
    if message == "larger than":
        settings.RELEASE_FILE_MAX_BYTES = 1000
    (tmp_path / "patch.zip").write_bytes(PATCH)
    (tmp_path / "empty.zip").write_bytes(b"")
    paths = {
        "file": tmp_path / "patch.zip",
        "missing": tmp_path / "nothing.zip",
        "folder": tmp_path,
        "empty": tmp_path / "empty.zip",
    }
    with pytest.raises(CommandError) as refused, translation.override("en"):
        call_command("add_release_file", *[argument.format(**paths) for argument in arguments])
    assert refused.value.returncode == 2
    assert message in str(refused.value)
    assert not ReleaseFile.objects.exists() and stored_files() == []


def test_the_command_exits_2_with_the_reason_on_stderr(tmp_path):
    source = tmp_path / "patch.zip"
    source.write_bytes(b"PK")
    with fresh_databases("sqlite", tmp_path) as databases:
        result = databases.manage("add_release_file", "nexcore-framework", "9.9.9", str(source))
    assert result.returncode == 2
    assert "No release 9.9.9 of product 'nexcore-framework'." in result.stderr


@pytest.fixture
def downloaded(make_release, make_member):
    """A release downloaded by two members."""
    release = make_release(files={"patch.zip": PATCH})
    item = release.files.get()
    for username in ("alpha01", "bravo01"):
        releases.record_download(
            member=make_member(username=username), release=release, release_file=item, ip=None
        )
    return release


@pytest.mark.policy("9 다")
def test_the_list_of_who_downloaded_a_release_writes_access_records(
    client, login_as, downloaded, make_release, django_assert_max_num_queries
):
    other = make_release("3.2.2", files={"other.zip": b"other"})
    agent = login_as(role=SUPPORT_AGENT)
    with django_assert_max_num_queries(15):
        response = client.get(DOWNLOADS, {"release__id__exact": downloaded.pk})
    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert {download.member.username for download in shown} == {"alpha01", "bravo01"}
    assert other.pk not in {download.release_id for download in shown}
    listed = AccessRecord.objects.filter(staff=agent, action=AccessRecord.Action.LIST)
    assert {record.member.username for record in listed} == {"alpha01", "bravo01"}
    assert set(listed.values_list("target", flat=True)) == {"selfservice.download"}


@pytest.mark.policy("9 다")
def test_supply_records_are_read_only_even_for_superusers(client, login_as, downloaded):
    record = Download.objects.first()
    login_as(superuser=True)
    assert client.get(reverse("admin:selfservice_download_add")).status_code == 403
    change = reverse("admin:selfservice_download_change", args=[record.pk])
    assert client.post(change, {"file_name": "other.zip"}).status_code == 403
    delete = reverse("admin:selfservice_download_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.file_name == "patch.zip"


@pytest.mark.infra
def test_the_release_list_counts_downloads_in_a_fixed_number_of_queries(
    client, login_as, make_release, make_member, django_assert_max_num_queries
):
    members = [make_member(username=f"member{n:02}") for n in range(3)]
    for minor in range(6):
        release = make_release(f"3.{minor}.0", files={"a.zip": b"a"})
        for member in members[: minor % 4]:
            releases.record_download(
                member=member, release=release, release_file=release.files.get(), ip=None
            )
    login_as(role=SUPPORT_AGENT)
    # The session, the staff member and their permissions, the product filter, two counts,
    # the page with its counts, the visit record.
    with django_assert_max_num_queries(10):
        response = client.get(RELEASES)
    counts = {
        release.version: release.download_count for release in response.context["cl"].result_list
    }
    assert counts == {f"3.{minor}.0": minor % 4 for minor in range(6)}
    page = response.content.decode()
    assert f'href="{DOWNLOADS}?release__id__exact={release.pk}"' in page
