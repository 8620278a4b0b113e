"""The officer's live page and ``compliance_status``: who sees them, what they show, exit codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from accounts.models import VisitRecord
from privacy.models import PrivacyRequest
from privacy.services import record_request
from retention.registry import CATEGORIES
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from tools.compliance import policy as compliance_policy
from tools.compliance import report as compliance_report

URL = "/admin/staff/compliance/"
# Fixed whatever the data: the retention report (reused as it is) reads each registered source of
# the primary database three times (rows, oldest, oldest not on hold); every other line reads once
# or twice; the rest is the admin's session, user and permissions.
PRIMARY_SOURCES = sum(
    1 for entry in CATEGORIES for source in entry.sources if source.database == "default"
)
MAX_QUERIES = 3 * PRIMARY_SOURCES + 21


@pytest.fixture(autouse=True)
def _own_folders(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.COMPLIANCE_REPORT_DIR = tmp_path / "compliance"
    # The second factor has its own tests; here staff log in with the password alone.
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        with translation.override("en"):
            call_command("compliance_status", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def purged(db):
    call_command("purge_expired", stdout=io.StringIO())


@pytest.mark.infra
def test_the_address_is_the_contracts(db):
    assert reverse("compliance_status") == URL


@pytest.mark.policy("9")
@pytest.mark.parametrize("role", [PRIVACY_HANDLER, SUPPORT_AGENT, CONTRACT_MANAGER])
def test_only_the_privacy_officer_sees_the_page(client, login_as, role):
    login_as(role=role)
    assert client.get(URL).status_code == 403


@pytest.mark.policy("9")
def test_a_member_is_sent_to_the_staff_login(logged_in_client):
    response = logged_in_client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.law("고시 제8조")
def test_each_line_says_its_state_in_words_and_links_to_act(english, client, login_as):
    login_as(role=PRIVACY_OFFICER)
    page = client.get(URL).content.decode()
    assert 'class="state-red"' in page and "Action needed" in page  # the purge never ran
    assert 'href="/admin/retention/purgerun/"' in page
    assert 'href="/admin/staff/access-review/"' in page
    assert "Something needs action now." in page


@pytest.mark.policy("1")
def test_the_page_shows_counts_never_a_members_data(client, login_as, make_member):
    member = make_member(username="quietmember", company="Hidden Company")
    record_request(
        member=member, kind=PrivacyRequest.Kind.ACCESS, channel=PrivacyRequest.Channel.LETTER
    )
    login_as(role=PRIVACY_OFFICER)
    page = client.get(URL).content.decode()
    assert "quietmember" not in page and "Hidden Company" not in page


@pytest.mark.infra
def test_the_page_reads_a_fixed_number_of_queries(
    client, login_as, make_member, django_assert_max_num_queries
):
    login_as(role=PRIVACY_OFFICER)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(URL).status_code == 200
    for n in range(12):
        member = make_member(username=f"member{n:02}", ip=f"10.0.1.{n}")
        VisitRecord.objects.create(member=member, ip="10.0.0.1", method="GET", path="/", status=200)
        record_request(
            member=member, kind=PrivacyRequest.Kind.ACCESS, channel=PrivacyRequest.Channel.LETTER
        )
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(URL).status_code == 200


@pytest.mark.policy("9")
def test_the_officer_finds_the_page_from_the_admin_index_and_the_dashboard(client, login_as):
    login_as(role=PRIVACY_OFFICER)
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in client.get(reverse("staff_dashboard")).content.decode()


@pytest.mark.policy("9")
def test_a_handler_is_not_shown_the_link(client, login_as):
    login_as(role=PRIVACY_HANDLER)
    assert URL not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.policy("9 라")
def test_the_last_proof_report_is_summarised(english, client, login_as, settings):
    settings.COMPLIANCE_REPORT_DIR.mkdir()
    # A report as `make compliance` builds it, from a run whose tests prove §10 and fail §3, and
    # nothing else.
    run = {
        "backend": "sqlite",
        "commit": "0123456789abcdef0123",
        "date": "2027-03-14",
        "python": "3.11",
        "django": "5.2",
        "tests": {
            "tests/a.py::test_contact": {
                "doc": "", "infra": False, "law": [], "policy": ["10"], "outcome": "passed",
            },
            "tests/a.py::test_disclosure": {
                "doc": "", "infra": False, "law": [], "policy": ["3"], "outcome": "failed",
            },
        },
    }  # fmt: skip
    report = compliance_report.build(
        runs=[run], sections=compliance_policy.load(), code={}, laws={}
    )
    (settings.COMPLIANCE_REPORT_DIR / "report.json").write_text(json.dumps(report))
    login_as(role=PRIVACY_OFFICER)
    page = client.get(URL).content.decode()
    assert "2027-03-14, commit 0123456789ab" in page
    unproven = page.split("Unproven clauses: ")[1].split("<")[0]
    assert "§3" in unproven and "§1 가" in unproven and "§12" in unproven
    assert "§10" not in unproven.split(", ") and "§4" not in unproven.split(", ")


@pytest.mark.policy("9 라")
def test_an_unreadable_proof_report_is_said_to_be_so(db, settings):
    settings.COMPLIANCE_REPORT_DIR.mkdir()
    (settings.COMPLIANCE_REPORT_DIR / "report.json").write_text("{not json")
    code, out = run("--json")
    proof = next(c for c in json.loads(out)["checks"] if c["key"] == "proof.report")
    assert proof["state"] == "amber" and proof["detail"] == "Unreadable."


@pytest.mark.policy("9 라")
def test_the_command_exits_1_when_something_is_red(db):
    code, out = run()
    assert code == 1
    assert any(line.startswith("red   retention.purge") for line in out.splitlines())


@pytest.mark.policy("9 라")
def test_the_command_exits_0_when_nothing_is_red(purged):
    code, out = run()
    assert code == 0 and "retention.purge" in out


@pytest.mark.policy("9 라")
def test_the_commands_json_has_stable_keys(purged):
    code, out = run("--json")
    report = json.loads(out)
    assert code == 0 and report["status"] in ("green", "amber")
    keys = [check["key"] for check in report["checks"]]
    assert "retention.visit" in keys and "staff.review" in keys and "policy.reconsent" in keys
    assert all(
        set(check) == {"area", "key", "label", "state", "value", "detail", "url"}
        for check in report["checks"]
    )
