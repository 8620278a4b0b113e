"""Fixtures of the retention tests: rows of every registered source, made at a given time."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from accounts import services as accounts_services
from accounts.models import (
    IdentityVerification,
    MemberSession,
    MisuseRecord,
    PasswordResetCode,
    Product,
    User,
    VisitRecord,
)
from privacy.models import Consent
from retention.locks import ADVISORY_LOCK_KEY, lock_file_path
from retention.models import ArchivedMember, ArchivedRecord, member_key

SEOUL = ZoneInfo("Asia/Seoul")
BOTH = ["default", "archive"]


def seoul(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    # The SQLite lock file lives in VAR_DIR; each test gets its own.
    settings.VAR_DIR = tmp_path


def purge(*args, at: datetime.datetime | None = None) -> list[str]:
    """Run ``purge_expired`` (at ``at``, when given) and return its output lines."""
    out = _Lines()
    if at is None:
        call_command("purge_expired", *args, stdout=out)
    else:
        with time_machine.travel(at, tick=False):
            call_command("purge_expired", *args, stdout=out)
    return out.lines


class _Lines:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return False

    @property
    def lines(self):
        return self.text.splitlines()


@contextlib.contextmanager
def lock_held_elsewhere():
    """Hold the purge lock the way a second process would: another file handle, or session."""
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        other = psycopg.connect(**params, autocommit=True)
        try:
            other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            yield
        finally:
            other.close()
        return
    path = lock_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


def age(model, pk, column, at):
    """Set a row's clock, for columns Django fills with the current time on insert."""
    model._base_manager.filter(pk=pk).update(**{column: at})


def make_row(model_label: str, *, at: datetime.datetime, member: User | None, category: str):
    """One row of the registered source ``model_label`` whose clock started at ``at``."""
    username = member.username if member else "stranger1"
    if model_label == "accounts.visitrecord":
        return VisitRecord.objects.create(
            time=at, member=member, ip="192.0.2.1", method="GET", path="/", status=200
        )
    if model_label == "accounts.identityverification":
        return IdentityVerification.objects.create(
            time=at, member=member, ip="192.0.2.1", kind=IdentityVerification.Kind.LOGIN
        )
    if model_label == "accounts.misuserecord":
        return MisuseRecord.objects.create(
            time=at,
            member=member,
            ip="192.0.2.1",
            username_tried=username,
            kind=MisuseRecord.Kind.LOCKOUT,
        )
    if model_label in {"axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}:
        model = {
            "axes.accessattempt": AccessAttempt,
            "axes.accessfailurelog": AccessFailureLog,
            "axes.accesslog": AccessLog,
        }[model_label]
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
        row = model.objects.create(
            username=username,
            ip_address="192.0.2.1",
            user_agent="test agent",
            http_accept="*/*",
            path_info="/accounts/login/",
            **(extra if model is AccessAttempt else {}),
        )
        age(model, row.pk, "attempt_time", at)
        return row
    if model_label == "admin.logentry":
        about_member = category == "privilege_change"
        target = member if (about_member and member) else None
        content_type = ContentType.objects.get_for_model(User if about_member else Consent)
        return LogEntry.objects.create(
            action_time=at,
            user=staff(),
            content_type=content_type,
            object_id=str(target.pk) if target else "1",
            object_repr=username,
            action_flag=CHANGE,
            change_message="[]",
        )
    if model_label == "accounts.membersession":
        return MemberSession.objects.create(
            session_key=f"s{at.timestamp():.0f}{MemberSession.objects.count()}",
            session_data="",
            expire_date=at,
            member=member,
        )
    if model_label == "accounts.passwordresetcode":
        return PasswordResetCode.objects.create(
            member=member,
            code_hash="argon2$test",
            created_at=at - datetime.timedelta(minutes=30),
            expires_at=at,
        )
    if model_label == "retention.archivedrecord":
        key = member_key(member.pk) if member else "accounts_user:999999"
        return ArchivedRecord.objects.create(
            source_key=f"test_source:{ArchivedRecord.objects.count() + 1}",
            category=category,
            member_key=key,
            time=at,
            data={"what": "test"},
        )
    if model_label == "retention.archivedmember":
        return ArchivedMember.objects.create(
            source_key=member_key(member.pk) if member else "accounts_user:999999",
            username=username,
            company="Archived Co",
            date_joined=at - datetime.timedelta(days=30),
            closed_at=at,
            consents=[],
        )
    if model_label in _FACTORIES:
        return _FACTORIES[model_label](at=at, member=member, username=username)
    raise KeyError(f"no factory for {model_label}")


def _access_record(*, at, member, username):
    from staff.models import AccessRecord

    return AccessRecord.objects.create(
        time=at, staff=staff(), staff_username="staff01", action="view", member=member
    )


def _access_review_sign_off(*, at, member, username):
    from staff.models import AccessReviewSignOff

    # One sign-off per month: each row here reviews a month of its own.
    month = datetime.date(1990 + AccessReviewSignOff.objects.count(), 1, 1)
    return AccessReviewSignOff.objects.create(
        month=month, signed_by=staff(), signed_by_username="officer01", signed_at=at
    )


def _privilege_change(*, at, member, username):
    from staff.models import PrivilegeChange

    # migrate records each change it made to bring the roles to staff.roles (a role defined
    # after its data migration); the tests count their own rows.
    PrivilegeChange._base_manager.all().delete()
    return PrivilegeChange.objects.create(time=at, subject=member, change="is_staff granted")


def _privacy_request(*, at, member, username):
    from privacy.models import PrivacyRequest

    # A complaint record's clock is its resolution.
    return PrivacyRequest.objects.create(
        member=member,
        kind="access",
        channel="letter",
        received_at=at,
        due_at=at,
        status=PrivacyRequest.Status.RESOLVED,
        resolved_at=at,
    )


def _complaint(*, at, member, **_):
    """The member's complaint inquiry, resolved at ``at``: one per member, shared by its parts."""
    from support.models import Inquiry

    inquiry = Inquiry.objects.filter(member=member, is_complaint=True).first()
    if inquiry is None:
        inquiry = Inquiry.objects.create(
            number=f"NX-TEST-{Inquiry.objects.count() + 1:06d}",
            member=member,
            product=Product.objects.first(),
            category=Inquiry.Category.COMPLAINT,
            title="Invoice dispute",
            is_complaint=True,
            status=Inquiry.Status.CLOSED,
            created_at=at,
            first_response_due_at=at,
            resolved_at=at,
            closed_at=at,
            data_key=b"k" * 32,
        )
    return inquiry


def _complaint_message(*, at, member, **_):
    from support.models import Message

    inquiry = _complaint(at=at, member=member)
    message = inquiry.messages.first()
    if message is None:
        message = Message.objects.create(
            inquiry=inquiry, member=member, kind=Message.Kind.MEMBER, body="The invoice is wrong."
        )
    return message


def _support_status_change(*, at, member, username):
    from support.models import StatusChange

    inquiry = _complaint(at=at, member=member)
    return StatusChange.objects.create(
        inquiry=inquiry, member=member, new_status="resolved", time=at
    )


def _support_attachment(*, at, member, username):
    from support.models import Attachment

    message = _complaint_message(at=at, member=member)
    return Attachment.objects.create(
        inquiry=message.inquiry,
        message=message,
        member=member,
        name="invoice.pdf",
        size=1,
        content_type="application/pdf",
        sha256="0" * 64,
        storage_name=f"test/{Attachment.objects.count() + 1}",
    )


def _consent(*, at, member, username):
    # The member's consent at sign-up: every member has one.
    return Consent.objects.filter(member=member).first()


def _disclosed_member(*, at, member, username):
    from privacy.models import DisclosedMember, Disclosure

    disclosure = Disclosure.objects.create(
        recipient="Court", basis="statute", statute="Case 1", items="ID", disclosed_at=at
    )
    return DisclosedMember.objects.create(disclosure=disclosure, member=member, time=at)


def _contract(*, at, **_):
    """A contract that ended on the local date of ``at``: its records' clock."""
    from selfservice.models import Contract, Tier

    contract = Contract.objects.filter(number="C-TEST-1").first()
    if contract is None:
        tier, _created = Tier.objects.get_or_create(
            name="Standard",
            defaults={"hours_defect": 4, "hours_complaint": 4, "hours_question": 8,
                      "hours_request": 16},
        )  # fmt: skip
        ends_on = at.astimezone(SEOUL).date()
        contract = Contract.objects.create(
            number="C-TEST-1",
            company="Holder Co",
            project="Billing",
            tier=tier,
            starts_on=ends_on - datetime.timedelta(days=365),
            ends_on=ends_on,
        )
    return contract


def _coverage(*, at, member, username):
    from selfservice.models import Coverage

    return Coverage.objects.create(contract=_contract(at=at), member=member, linked_at=at)


def _contract_change(*, at, member, username):
    from selfservice.models import ContractChange

    return ContractChange.objects.create(
        contract=_contract(at=at), time=at, changed_by_username="staff01", change="created"
    )


def _payment(*, at, member, username):
    from selfservice.models import Payment

    return Payment.objects.create(
        contract=None,
        contract_number="C-TEST-0",
        invoice_number=f"INV-{Payment.objects.count() + 1}",
        amount=1_100_000,
        issued_on=at.astimezone(SEOUL).date() - datetime.timedelta(days=30),
        paid_on=at.astimezone(SEOUL).date(),
    )


def _download(*, at, member, username):
    from selfservice.models import Download

    return Download.objects.create(
        time=at, ip="192.0.2.1", member=member, product="NEXCORE", version="1.0", file_name="a.zip"
    )


def _affected_member(*, at, member, username):
    from incidents.models import AffectedMember, Incident

    incident = Incident.objects.create(
        title="Leaked export", what_happened="A file was mailed out.", items="ID",
        discovered_at=at, cause="Mistake", containment="Recalled", member_actions="None",
        contact="Officer",
    )  # fmt: skip
    return AffectedMember.objects.create(incident=incident, member=member, time=at)


# The sources of the apps above accounts: ``factory(at=, member=, username=)``.
_FACTORIES = {
    "selfservice.coverage": _coverage,
    "selfservice.contractchange": _contract_change,
    "selfservice.contract": _contract,
    "selfservice.payment": _payment,
    "selfservice.download": _download,
    "support.inquiry": _complaint,
    "support.message": _complaint_message,
    "support.statuschange": _support_status_change,
    "support.attachment": _support_attachment,
    "staff.accessrecord": _access_record,
    "staff.accessreviewsignoff": _access_review_sign_off,
    "staff.privilegechange": _privilege_change,
    "privacy.consent": _consent,
    "privacy.privacyrequest": _privacy_request,
    "privacy.disclosedmember": _disclosed_member,
    "incidents.affectedmember": _affected_member,
}


def staff() -> User:
    from staff.models import PrivilegeChange

    user, created = User.objects.get_or_create(username="staff01", defaults={"is_staff": True})
    if created:
        # Making the account staff is itself a recorded grant; the tests count their own rows.
        PrivilegeChange._base_manager.filter(subject=user).delete()
    return user


@pytest.fixture
def closed_member(make_member):
    """A member with a record of each kind, closed on 15 March 2024 at 10:00 in Seoul."""
    with time_machine.travel(seoul(2024, 1, 31, 10, 0), tick=False):
        member = make_member(username="leaver01", company="Leaving Co")
        accounts_services.record_identity_verification(member=member, ip="10.0.0.1", kind="login")
        VisitRecord.objects.create(member=member, ip="10.0.0.1", method="GET", path="/", status=200)
        accounts_services.record_lockout(username=member.username, ip="10.0.0.2")
    with time_machine.travel(seoul(2024, 3, 15, 10, 0), tick=False):
        accounts_services.close_account(member=member)
    return member
