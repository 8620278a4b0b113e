"""Every admin list and change page runs a fixed number of queries, however many rows there are.

The registry is read at collection, so an admin registered later is covered without touching
this module. Each page is opened with two members' worth of every kind of row, then again with
twelve more members': the count must not move, and it stays under the page's ceiling.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter

import pytest
from django.contrib import admin
from django.contrib.admin import (
    AllValuesFieldListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.core.files.base import ContentFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as accounts_services
from accounts.models import Product, User
from incidents import services as incidents_services
from incidents.models import Incident
from privacy import services as privacy_services
from privacy.models import Notice, PolicyVersion
from retention.models import PurgeRun, member_key
from retention.services.holds import lift_hold, place_hold
from selfservice.models import Article, Contract, Payment, Release, Tier
from selfservice.services import contracts as contract_services
from selfservice.services import releases as release_services
from staff.roles import PRIVACY_HANDLER
from staff.services import audit, recovery
from staff.services import members as member_services
from support import services as support_services
from support.models import CannedReply
from tests.privacy.factories import announce
from tests.retention.conftest import make_row

pytestmark = pytest.mark.infra

# Every admin on the site, by model label; none is exempt.
ADMINS = sorted(model._meta.label_lower for model in admin.site._registry)

# What each page costs, (list, change form), the same on SQLite and PostgreSQL: the request's
# own queries (session, user, staff credential, visit record) included. An admin registered
# later and not named here gets the default; the test that the count does not grow holds for all.
CEILINGS = {
    "accounts.identityverification": (7, 8),
    "accounts.misuserecord": (7, 8),
    "accounts.passwordresetcode": (7, 10),
    "accounts.product": (7, 5),
    "accounts.user": (9, 12),
    "accounts.visitrecord": (7, 8),
    "auth.group": (7, 7),
    "privacy.consent": (8, 9),
    "privacy.correctionnotice": (8, 10),
    "privacy.disclosure": (9, 11),
    # A change page asks whether a breach's public notice must stay up (시행령 §39 ③).
    "privacy.notice": (7, 7),
    "privacy.policyversion": (7, 6),
    "privacy.privacyrequest": (8, 9),
    "retention.legalhold": (10, 12),
    "retention.purgerun": (7, 5),
    "selfservice.article": (8, 7),
    "selfservice.contract": (8, 13),
    "selfservice.download": (8, 10),
    "selfservice.payment": (7, 6),
    "selfservice.release": (8, 8),
    "selfservice.tier": (7, 5),
    "staff.accessrecord": (6, 7),
    # Login records name IDs: the page looks up whose they are and writes its access record.
    "staff.failedlogin": (9, 9),
    "staff.failedlogincounter": (9, 10),
    "staff.loginlog": (9, 9),
    "staff.privilegechange": (6, 6),
    "staff.secondfactordevice": (7, 6),
    "support.cannedreply": (7, 5),
    "support.inquiry": (9, 18),
}
DEFAULT_CEILING = (12, 15)
# The tables a list may offer as filter choices in full: short catalogs staff keep by hand.
CATALOGS = {Product, PolicyVersion, Tier, Release}


def registered(label: str):
    return next(
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.label_lower == label
    )


def new_incident(title: str, *, by: User) -> Incident:
    discovered = timezone.now() - datetime.timedelta(hours=2)
    return incidents_services.save_incident(
        incident=Incident(
            title=title, what_happened="A list went to the wrong customer.", items="ID",
            occurred_at=discovered - datetime.timedelta(hours=1), discovered_at=discovered,
            cause="A wrong choice.", containment="Deleted.", member_actions="None needed.",
            contact="02-6400-6123",
        ),
        by=by,
    )  # fmt: skip


@pytest.fixture
def one_of_everything(make_member, make_staff, product):
    """``make(count)``: ``count`` more members, each with a row of every kind about them.

    Members get products of their own, and every third none (the foreign key is nullable).
    Some rows hang off objects shared by everyone (a contract covering them all, a disclosure
    naming them all, a release they all downloaded), so that change pages grow too.
    """
    numbers = itertools.count(1)
    shared = {}

    def everything(member: User, n: int) -> None:
        staff = shared["staff"]
        now = timezone.now()
        own_product = Product.objects.create(name=f"Product {n}", slug=f"product-{n}")
        accounts_services.change_profile(
            member=member, company=member.company, project=member.project, product=own_product
        )
        # Visits, logins, a caller verified and a reset code issued, a lockout, a flag.
        accounts_services.record_visit(
            ip="192.0.2.1", member=member, method="GET", path="/", status=200
        )
        accounts_services.record_identity_verification(member=member, ip="192.0.2.1", kind="login")
        verification = recovery.verify_caller(
            member=member,
            staff=staff,
            company=member.company,
            project=member.project,
            product=own_product,
            channel="phone",
            ip="192.0.2.2",
        )
        recovery.issue_reset_code(verification=verification, staff=staff, ip="192.0.2.2")
        accounts_services.record_lockout(username=member.username, ip="192.0.2.3")
        member_services.flag_member(member=member, staff=staff, ip="192.0.2.2", reason="spam")
        audit.record_privilege_change(change="test: nothing granted", subject=member)
        for model_label in ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"):
            make_row(model_label, at=now, member=member, category="")
        # Requests, disclosures (one of their own, and the shared one), correction notices.
        privacy_services.record_request(
            member=member, kind="access", channel="letter", recorded_by=staff
        )
        privacy_services.record_disclosure(
            recipient=f"Court {n}", basis="statute", statute=f"Case {n}", items="ID",
            members=[member], recorded_by=staff, disclosed_at=now - datetime.timedelta(hours=1),
        )  # fmt: skip
        disclosure = shared["disclosure"]
        privacy_services.update_disclosure(
            disclosure=disclosure,
            members=[*User.objects.filter(pk__in=disclosure.entries.values("member")), member],
        )
        privacy_services.note_correction(member=member, fields=["company"])
        Notice.objects.create(
            title=f"Notice {n}", body="Text", policy_version=shared["policy_version"]
        )
        announce(
            f"1.{n}", effective_at=now + datetime.timedelta(days=60), now=now, body=f"# v1.{n}"
        )
        # An inquiry, answered and assigned, and one entered by staff.
        inquiry = support_services.open_inquiry(
            member=member, product=own_product, category="question", title="Stops", body="Why?"
        )
        support_services.staff_reply(inquiry=inquiry, staff=staff, body="Restart it.")
        support_services.update_by_staff(inquiry=inquiry, staff=staff, assignee=staff)
        support_services.open_inquiry(
            member=member, product=own_product, category="defect", title="Crash", body="Log.",
            channel="phone", entered_by=staff,
        )  # fmt: skip
        CannedReply.objects.create(title=f"Reply {n}", body="Thanks.")
        article = Article.objects.create(title=f"Article {n}", slug=f"article-{n}", body="Text")
        article.products.set([own_product, product])
        # Contracts: one of their own, a link to the shared one and a payment on it.
        tier = Tier.objects.create(
            name=f"Tier {n}", hours_defect=1, hours_complaint=2, hours_question=3, hours_request=4
        )
        today = timezone.localdate()
        contract_services.save_contract(
            contract=Contract(
                number=f"C-{n:03d}", company=member.company, project=member.project, tier=tier,
                starts_on=today, ends_on=today + datetime.timedelta(days=365),
            ),
            products=[own_product],
            by=staff,
        )  # fmt: skip
        contract_services.link_member(contract=shared["contract"], member=member, by=staff, ip=None)
        contract_services.save_payment(
            payment=Payment(
                contract=shared["contract"], invoice_number=f"INV-{n:03d}", amount=1000,
                issued_on=today,
            ),
            by=staff,
        )  # fmt: skip
        # Releases: one of their product, and a download of the shared one.
        release = Release.objects.create(product=own_product, version=f"1.{n}", published=True)
        release_services.add_release_file(
            release=release, upload=ContentFile(b"zip", name=f"r{n}.zip")
        )
        release_services.record_download(
            member=member,
            release=shared["release"],
            release_file=shared["release"].files.first(),
            ip="192.0.2.1",
        )
        # Holds (one lifted), a purge run, a handler with a second-factor device.
        hold = place_hold(
            member_key=member_key(member.pk), reason="Court order", review_on=today,
            placed_by=staff,
        )  # fmt: skip
        if n % 2:
            lift_hold(hold=hold, lifted_by=staff)
        PurgeRun.objects.create(outcome=PurgeRun.Outcome.DONE, counts={"visits": n})
        # A breach of their own, and the shared one, whose list of affected members grows.
        for incident in (new_incident(f"Incident {n}", by=staff), shared["incident"]):
            incidents_services.select_affected(
                incident=incident, scope=incidents_services.SCOPE_IDS, usernames=[member.username]
            )
        handler = make_staff(username=f"handler{n:02d}", role=PRIVACY_HANDLER)
        TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
        if n % 3 == 0:
            User.objects.filter(pk=member.pk).update(product=None)

    def make(count: int) -> None:
        for _ in range(count):
            n = next(numbers)
            member = make_member(username=f"member{n:02d}", ip=f"10.0.{n}.1")
            if not shared:
                _shared(member)
            everything(member, n)

    def _shared(first_member: User) -> None:
        # Made after the first member, so that the first member is the first user by pk.
        staff = make_staff(username="agent01", superuser=True)
        shared["staff"] = staff
        shared["policy_version"] = first_member.consents.first().policy_version
        shared["incident"] = new_incident("Shared incident", by=staff)
        shared["disclosure"] = privacy_services.record_disclosure(
            recipient="Police", basis="statute", statute="Case 0", items="ID", members=[],
            recorded_by=staff, disclosed_at=timezone.now() - datetime.timedelta(hours=1),
        )  # fmt: skip
        today = timezone.localdate()
        shared["contract"] = contract_services.save_contract(
            contract=Contract(
                number="C-000", company="Acme Corp", project="Apollo",
                tier=Tier.objects.create(
                    name="Shared", hours_defect=1, hours_complaint=2, hours_question=3,
                    hours_request=4,
                ),
                starts_on=today, ends_on=today + datetime.timedelta(days=365),
            ),
            products=[product],
            by=staff,
        )  # fmt: skip
        release = Release.objects.create(product=product, version="9.0", published=True)
        release_services.add_release_file(release=release, upload=ContentFile(b"zip", name="a.zip"))
        shared["release"] = release

    return make


def _count(client, url, ceiling, django_assert_max_num_queries) -> CaptureQueriesContext:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return captured


def _sql(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
    # A bulk insert or an IN list is one query whatever its length.
    sql = re.sub(r"\(\?(?:, \?)*\)(?:, \(\?(?:, \?)*\))*", "(…)", sql)
    return sql


def _explain(small: CaptureQueriesContext, large: CaptureQueriesContext) -> str:
    grown = Counter(_shape(sql) for sql in _sql(large))
    grown.subtract(_shape(sql) for sql in _sql(small))
    lines = [f"{count:+d} × {sql[:300]}" for sql, count in grown.most_common() if count]
    return f"{len(small)} queries became {len(large)}:\n" + "\n".join(lines)


@pytest.mark.parametrize("page", ["changelist", "change"])
@pytest.mark.parametrize("label", ADMINS)
def test_the_page_costs_the_same_with_two_members_and_with_fourteen(
    client, one_of_everything, django_assert_max_num_queries, label, page
):
    model, model_admin = registered(label)
    one_of_everything(2)
    client.force_login(User.objects.get(username="agent01"))
    info = model._meta.app_label, model._meta.model_name
    if page == "changelist":
        url = reverse("admin:{}_{}_changelist".format(*info))
    else:
        first = model._default_manager.order_by("pk").first()
        if first is None:
            pytest.skip(f"no {label} row to open: one_of_everything makes none")
        url = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
    ceiling = CEILINGS.get(label, DEFAULT_CEILING)[page == "change"]
    client.get(url)  # the first request of a session does more (its session, caches)
    small = _count(client, url, ceiling, django_assert_max_num_queries)
    one_of_everything(12)
    large = _count(client, url, ceiling, django_assert_max_num_queries)
    assert len(large) == len(small), _explain(small, large)
    writes = [sql for sql in _sql(large) if sql.startswith('INSERT INTO "accounts_accessrecord"')]
    assert len(writes) <= 1, "a page writes its access records in one statement"


@pytest.mark.parametrize("label", ADMINS)
def test_no_list_reads_a_whole_table_for_its_dates_or_its_filters_choices(rf, make_staff, label):
    model, model_admin = registered(label)
    assert model_admin.date_hierarchy is None, (
        "a date hierarchy lists the dates of every row (a Python function per row on SQLite): "
        "filter by date with admin.DateFieldListFilter, which filters by ranges"
    )
    request = rf.get("/")
    request.user = make_staff(username="ops01", superuser=True)
    for spec in model_admin.get_changelist_instance(request).filter_specs:
        # Both list the values present in the listed table: a scan of it on every page.
        assert not isinstance(spec, (AllValuesFieldListFilter, RelatedOnlyFieldListFilter)), spec
        if isinstance(spec, RelatedFieldListFilter):
            assert spec.field.related_model in CATALOGS, (spec.field, "offer a choices list")


def test_every_registered_admin_is_covered():
    # The parametrisation reads the registry at collection; a registration made only at run
    # time (in a ready() after collection) would escape it.
    assert sorted(model._meta.label_lower for model in admin.site._registry) == ADMINS
