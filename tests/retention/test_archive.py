"""archive_closed_accounts: copy-then-delete to the archive database (policy §6 가)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, models, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import (
    IdentityVerification,
    MemberSession,
    MisuseRecord,
    PasswordResetCode,
    User,
    VisitRecord,
)
from privacy.models import Consent
from privacy.services import record_request
from retention.models import ArchivedMember, ArchivedRecord, member_key, source_key
from retention.services import archiving
from retention.services.erasure import delete_rows
from staff.services import recovery
from tests.retention.conftest import BOTH, lock_held_elsewhere, make_row, seoul, staff

pytestmark = [pytest.mark.policy("6 가"), pytest.mark.django_db(databases=BOTH)]

RECORD_MODELS = (VisitRecord, IdentityVerification, MisuseRecord, AccessAttempt, LogEntry)


@pytest.fixture
def leaver(closed_member):
    """The closed member, with the third-party rows that name them too."""
    make_row("axes.accessattempt", at=seoul(2024, 2, 1), member=closed_member, category="misuse")
    make_row("admin.logentry", at=seoul(2024, 2, 1), member=closed_member, category="staff_access")
    make_row(
        "admin.logentry", at=seoul(2024, 2, 1), member=closed_member, category="privilege_change"
    )
    MemberSession.objects.create(
        session_key="stale-session",
        session_data="",
        expire_date=seoul(2030, 1, 1),
        member=closed_member,
    )
    return closed_member


def primary_keys() -> set[str]:
    """The stable keys of the record rows in the primary database: all the member's here."""
    keys = set()
    for model in RECORD_MODELS:
        keys |= {source_key(model, pk) for pk in model.objects.values_list("pk", flat=True)}
    return keys


def text_fields_naming(value: str) -> list[str]:
    """Every text column of every primary-database model that contains ``value`` anywhere."""
    found = []
    for model in apps.get_models():
        if router.db_for_read(model) != "default":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and (
                model._base_manager.filter(**{f"{field.name}__icontains": value}).exists()
            ):
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.policy("6 가")
def test_a_closed_account_moves_to_the_archive_with_its_records(leaver):
    keys = primary_keys()
    assert len(keys) == 6
    result = archiving.archive_closed_accounts()
    assert (result.members, result.records) == (1, 6)
    archived = ArchivedMember.objects.get()
    assert archived.source_key == member_key(leaver.pk)
    assert (archived.username, archived.company, archived.project) == (
        "leaver01",
        "Leaving Co",
        "Apollo",
    )
    assert archived.product_name == "NEXCORE Framework"
    assert archived.closed_at == seoul(2024, 3, 15, 10, 0)
    assert archived.date_joined == seoul(2024, 1, 31, 10, 0)
    (consent,) = archived.consents
    assert consent["kind"] == "signup" and consent["policy_version"]
    assert consent["given_at"].startswith("2024-01-31T01:00:00")
    assert set(ArchivedRecord.objects.values_list("source_key", flat=True)) == keys
    assert set(ArchivedRecord.objects.values_list("member_key", flat=True)) == {archived.source_key}


@pytest.mark.policy("6 가")
def test_text_that_a_bulk_copy_must_escape_arrives_unchanged(leaver):
    awkward = 'C:\\Program Files\t"NEXCORE"\n\\N 한글 \\.'
    VisitRecord.objects.filter(member=leaver).update(path=f"/{awkward}"[:255])
    User.objects.filter(pk=leaver.pk).update(company=awkward[:100], project="\\N")
    archiving.archive_closed_accounts()
    archived = ArchivedMember.objects.get()
    assert (archived.company, archived.project) == (awkward[:100], "\\N")
    (visit,) = ArchivedRecord.objects.filter(category="visit")
    assert visit.data["path"] == f"/{awkward}"


@pytest.mark.policy("6 가")
def test_a_rerun_updates_a_copy_left_by_a_crash_rather_than_adding_one(leaver):
    visit = VisitRecord.objects.get(member=leaver)
    stale = ArchivedRecord.objects.create(
        source_key=source_key(VisitRecord, visit.pk),
        category="visit",
        member_key=member_key(leaver.pk),
        time=visit.time,
        data={"path": "/stale/"},
    )
    archiving.archive_closed_accounts()
    (copy,) = ArchivedRecord.objects.filter(category="visit")
    assert copy.pk == stale.pk and copy.data["path"] == visit.path
    assert copy.archived_at == stale.archived_at


@pytest.mark.policy("6 가")
def test_records_keep_their_category_and_clock_in_the_archive(leaver):
    visit = VisitRecord.objects.get(member=leaver)
    archiving.archive_closed_accounts()
    copy = ArchivedRecord.objects.get(source_key=source_key(VisitRecord, visit.pk))
    assert copy.category == "visit" and copy.time == visit.time
    assert copy.data["path"] == visit.path and copy.data["ip"] == visit.ip
    categories = sorted(ArchivedRecord.objects.values_list("category", flat=True))
    assert categories == [
        "identity",
        "misuse",
        "misuse",
        "privilege_change",
        "staff_access",
        "visit",
    ]


@pytest.mark.policy("6 가")
def test_afterwards_the_primary_database_holds_nothing_naming_the_member(leaver):
    assert text_fields_naming("leaver01"), "the scan finds the member before the move"
    archiving.archive_closed_accounts()
    assert text_fields_naming("leaver01") == []
    assert text_fields_naming("Leaving Co") == []
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert not Consent.objects.filter(member_id=leaver.pk).exists()
    assert not MemberSession.objects.filter(member_id=leaver.pk).exists()


def test_open_accounts_are_not_touched(leaver, make_member):
    stayer = make_member(username="stayer01", company="Staying Co")
    accounts_services.record_identity_verification(member=stayer, ip=None, kind="login")
    archiving.archive_closed_accounts()
    assert User.objects.filter(pk=stayer.pk).exists()
    assert IdentityVerification.objects.filter(member=stayer).count() == 1
    assert not ArchivedMember.objects.filter(username="stayer01").exists()


def test_a_dry_run_moves_nothing(leaver):
    result = archiving.archive_closed_accounts(dry_run=True)
    assert result.members == 1
    assert User.objects.filter(pk=leaver.pk).exists()
    assert not ArchivedMember.objects.exists() and not ArchivedRecord.objects.exists()


def test_the_command_reports_counts_only(leaver, capsys):
    call_command("archive_closed_accounts")
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "archive archived=1 records=6 waiting=0",
        "erase rewritten=0 longest_lock=0.00s files=0",
    ]


def where_is(keys: set[str]) -> dict[str, set[str]]:
    primary = primary_keys()
    archive = set(ArchivedRecord.objects.values_list("source_key", flat=True))
    return {"primary": keys & primary, "archive": keys & archive}


class Crash(Exception):
    pass


def crash(*args, **kwargs):
    raise Crash


@pytest.mark.policy("6 가")
@pytest.mark.parametrize(
    "step", ["_copy_members", "_copy_records", "_delete_primary_rows", "_delete_members"]
)
def test_a_crash_at_any_step_loses_nothing_and_a_rerun_converges(leaver, monkeypatch, step):
    keys = primary_keys()
    with monkeypatch.context() as patch:
        patch.setattr(archiving, step, crash)
        with pytest.raises(Crash):
            archiving.archive_closed_accounts()
    place = where_is(keys)
    assert place["primary"] | place["archive"] == keys, "a record was in neither database"
    assert User.objects.filter(pk=leaver.pk).exists(), "the member row goes last"
    archiving.archive_closed_accounts()
    assert where_is(keys) == {"primary": set(), "archive": keys}
    assert ArchivedRecord.objects.count() == len(keys)
    assert ArchivedMember.objects.count() == 1
    assert not User.objects.filter(pk=leaver.pk).exists()


@pytest.mark.policy("6 가")
def test_a_crash_after_some_records_moved_then_rerun_leaves_no_duplicate(leaver, monkeypatch):
    keys = primary_keys()
    original = archiving._delete_primary_rows
    calls = []

    def delete_once(model, pks, **bounds):
        calls.append(model)
        if len(calls) > 1:
            raise Crash
        return original(model, pks, **bounds)

    monkeypatch.setattr(archiving, "_delete_primary_rows", delete_once)
    with pytest.raises(Crash):
        archiving.archive_closed_accounts()
    place = where_is(keys)
    assert place["primary"] and place["primary"] != keys  # part moved, part copied only
    assert place["primary"] | place["archive"] == keys
    monkeypatch.setattr(archiving, "_delete_primary_rows", original)
    archiving.archive_closed_accounts()
    archiving.archive_closed_accounts()
    assert ArchivedRecord.objects.count() == len(keys)
    assert where_is(keys) == {"primary": set(), "archive": keys}


def test_a_record_written_after_the_copy_keeps_the_member_for_the_next_run(leaver, monkeypatch):
    original = archiving._delete_members

    def late_record(members):
        VisitRecord.objects.create(member=leaver, method="GET", path="/late", status=200)
        return original(members)

    monkeypatch.setattr(archiving, "_delete_members", late_record)
    with pytest.raises(archiving.ArchiveIncomplete):
        archiving.archive_closed_accounts()
    assert User.objects.filter(pk=leaver.pk).exists()
    monkeypatch.setattr(archiving, "_delete_members", original)
    archiving.archive_closed_accounts()
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert ArchivedRecord.objects.filter(data__path="/late").exists()


def leave(member: User) -> User:
    """The member leaves a visit and an identity record, then withdraws."""
    accounts_services.record_identity_verification(member=member, ip="10.0.0.1", kind="login")
    VisitRecord.objects.create(member=member, ip="10.0.0.1", method="GET", path="/", status=200)
    return accounts_services.close_account(member=member)


def join(make_member, prefix: str, count: int) -> list[User]:
    # One address each: sign-ups per address are limited.
    return [
        make_member(username=f"{prefix}{n:02d}", company=f"{prefix} Co", ip=f"10.1.{n}.1")
        for n in range(count)
    ]


def owners_of_records() -> dict[str, str]:
    """The member key of every visit and identity record in the primary database."""
    return {
        source_key(model, pk): member_key(member)
        for model in (VisitRecord, IdentityVerification)
        for pk, member in model.objects.values_list("pk", "member_id")
    }


def archive_counting_queries() -> dict[str, int]:
    """Archive the closed accounts; how many queries that sent to each database."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["archive"]) as archive,
    ):
        archiving.archive_closed_accounts()
    return {"default": len(primary), "archive": len(archive)}


def test_archiving_thirty_members_takes_no_more_queries_than_archiving_three(make_member):
    for member in join(make_member, "few", 3):
        leave(member)
    few = archive_counting_queries()
    for member in join(make_member, "many", 30):
        leave(member)
    many = archive_counting_queries()
    assert many == few
    assert ArchivedMember.objects.count() == 33
    assert not User.objects.exists() and not VisitRecord.objects.exists()


@pytest.mark.policy("6 가")
def test_members_move_batch_by_batch_and_records_chunk_by_chunk(make_member, monkeypatch):
    monkeypatch.setattr(archiving, "MEMBER_BATCH", 2)
    monkeypatch.setattr(archiving, "RECORD_CHUNK", 1)
    for member in join(make_member, "batch", 5):
        leave(member)
    owners = owners_of_records()
    result = archiving.archive_closed_accounts()
    assert (result.members, result.records) == (5, len(owners))
    assert dict(ArchivedRecord.objects.values_list("source_key", "member_key")) == owners
    assert ArchivedMember.objects.count() == 5
    assert not User.objects.exists() and not owners_of_records()


@pytest.mark.policy("6 가")
def test_open_accounts_between_a_batchs_members_keep_every_record(make_member, monkeypatch):
    # Batches read members' records by their range of keys: an open account inside that
    # range keeps its records, and every closed one's go.
    monkeypatch.setattr(archiving, "MEMBER_BATCH", 2)
    members = join(make_member, "mixed", 7)
    staying = [members[1], members[3], members[5]]
    for member in members:
        VisitRecord.objects.create(member=member, ip="10.0.0.1", method="GET", path="/", status=200)
    for member in set(members) - set(staying):
        leave(member)
    before = owners_of_records()
    open_keys = {member_key(member.pk) for member in staying}
    kept = {key: owner for key, owner in before.items() if owner in open_keys}
    archiving.archive_closed_accounts()
    assert owners_of_records() == kept
    assert dict(ArchivedRecord.objects.values_list("source_key", "member_key")) == {
        key: owner for key, owner in before.items() if key not in kept
    }
    assert set(User.objects.all()) == set(staying)


@pytest.mark.policy("6 가")
def test_a_crash_in_a_later_batch_leaves_the_earlier_ones_moved(make_member, monkeypatch):
    monkeypatch.setattr(archiving, "MEMBER_BATCH", 2)
    for member in join(make_member, "crash", 4):
        leave(member)
    owners = owners_of_records()
    original = archiving._delete_members
    batches = []

    def crash_in_the_second(batch):
        batches.append(batch)
        if len(batches) == 2:
            raise Crash
        return original(batch)

    with monkeypatch.context() as patch:
        patch.setattr(archiving, "_delete_members", crash_in_the_second)
        with pytest.raises(Crash):
            archiving.archive_closed_accounts()
    assert User.objects.count() == 2, "the first batch moved, the second waits"
    place = where_is(set(owners))
    assert place["primary"] | place["archive"] == set(owners)
    archiving.archive_closed_accounts()
    assert dict(ArchivedRecord.objects.values_list("source_key", "member_key")) == owners
    assert ArchivedMember.objects.count() == 4 and not User.objects.exists()


@pytest.mark.policy("7")
def test_a_waiting_member_between_two_others_keeps_every_record(make_member):
    first, waiting, last = join(make_member, "span", 3)
    record_request(member=waiting, kind="access", channel="letter")
    for member in (first, waiting, last):
        leave(member)
    result = archiving.archive_closed_accounts()
    assert (result.members, result.waiting) == (2, 1)
    assert set(User.objects.values_list("pk", flat=True)) == {waiting.pk}
    assert VisitRecord.objects.filter(member=waiting).count() == 1
    assert IdentityVerification.objects.filter(member=waiting).count() == 1
    assert not ArchivedRecord.objects.filter(member_key=member_key(waiting.pk)).exists()
    assert not ArchivedMember.objects.filter(source_key=member_key(waiting.pk)).exists()


def test_what_a_withdrawn_staff_member_did_for_others_stays_without_their_name(member):
    agent = staff()
    verification = IdentityVerification.objects.create(
        member=member, kind=IdentityVerification.Kind.STAFF_ASSISTED, verified_by=agent
    )
    accounts_services.close_account(member=agent)
    archiving.archive_closed_accounts()
    verification.refresh_from_db()
    assert verification.verified_by is None
    assert not User.objects.filter(pk=agent.pk).exists()


@pytest.mark.policy("5 나")
def test_an_archived_id_cannot_sign_up_again(leaver, client, product):
    archiving.archive_closed_accounts()
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "LEAVER01",
            "password1": "lantern-quiet-7731",
            "password2": "lantern-quiet-7731",
            "company": "X",
            "project": "Y",
            "product": product.slug,
            "agree_policy": "on",
            "adult": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("username", code="unique")
    assert not User.objects.filter(username="leaver01").exists()


@pytest.mark.policy("6 가")
def test_a_member_closed_with_a_live_reset_code_is_archived(make_member):
    member = make_member(username="codeholder", company="Code Co")
    agent = staff()
    verification = recovery.verify_caller(
        member=member,
        staff=agent,
        company="Code Co",
        project=member.project,
        product=member.product,
        channel="phone",
        ip=None,
    )
    recovery.issue_reset_code(verification=verification, staff=agent, ip=None)
    accounts_services.close_account(member=member)
    assert not PasswordResetCode.objects.exists()
    archiving.archive_closed_accounts()
    assert not User.objects.filter(username="codeholder").exists()
    assert ArchivedRecord.objects.filter(
        member_key=member_key(member.pk), data__kind=IdentityVerification.Kind.STAFF_ASSISTED
    ).exists()


def test_a_bulk_delete_clears_keys_that_have_no_reverse_accessor(member):
    agent = staff()
    verification = IdentityVerification.objects.create(
        member=member, kind=IdentityVerification.Kind.STAFF_ASSISTED, verified_by=agent
    )
    code = PasswordResetCode.objects.create(
        member=member,
        code_hash="argon2$test",
        verification=verification,
        issued_by=agent,
        expires_at=seoul(2030, 1, 1),
    )
    assert delete_rows(IdentityVerification.objects.filter(pk=verification.pk)) == 1
    code.refresh_from_db()
    assert code.verification is None


def test_the_command_exits_75_while_a_purge_holds_the_lock(leaver):
    with lock_held_elsewhere(), pytest.raises(CommandError) as raised:
        call_command("archive_closed_accounts")
    assert raised.value.returncode == 75
    assert User.objects.filter(pk=leaver.pk).exists()
    assert not ArchivedMember.objects.exists()


def test_a_database_error_exits_1_with_one_line_naming_no_data(leaver, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError(f"duplicate key value (username)=({leaver.username})")

    monkeypatch.setattr(archiving, "_copy_members", fail)
    with pytest.raises(CommandError) as raised:
        call_command("archive_closed_accounts")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "DatabaseError" in message and "\n" not in message
    assert leaver.username not in message
    assert User.objects.filter(pk=leaver.pk).exists()
