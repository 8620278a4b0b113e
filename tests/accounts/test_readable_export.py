"""The readable export beside the JSON (policy §7 열람): a Korean-labelled CSV and a print view."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import hooks, selectors, views
from accounts.models import IdentityVerification, MisuseRecord, VisitRecord
from incidents import services as incidents_services
from incidents.models import Incident
from privacy import services as privacy_services
from selfservice.models import Contract, Coverage, Download, Tier
from support import services as support_services

CSV = reverse("accounts:export_csv")
PRINT = reverse("accounts:print")
JSON = reverse("accounts:export")


def blocks(response) -> list[list[list[str]]]:
    """The CSV's tables: each a title row, a heading row and its rows, an empty row after."""
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    found, current = [], []
    for row in rows:
        if row:
            current.append(row)
        else:
            found.append(current)
            current = []
    assert current == []
    return found


def by_title(response) -> dict[str, list[list[str]]]:
    return {block[0][0]: block[1:] for block in blocks(response)}


def shown(moment: str | None) -> str:
    """A time of the JSON export as the CSV writes it."""
    return moment[:19].replace("T", " ") if moment else ""


@pytest.fixture
def inquiry(member):
    # Text a spreadsheet would run as formulas if it were written as it is.
    return support_services.open_inquiry(
        member=member,
        product=member.product,
        category="question",
        title='=HYPERLINK("http://evil.example/","click")',
        body="@SUM(A1:A9)\n+1 -1",
    )


@pytest.mark.policy("7")
def test_the_csv_is_utf8_with_a_byte_order_mark_and_korean_headings(reauthed_client):
    response = reauthed_client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="nexcore-my-data-')
    assert "no-store" in response["Cache-Control"]
    tables = by_title(response)
    assert tables["회원정보"][0] == [
        "아이디",
        "회사명",
        "프로젝트명",
        "사용제품명",
        "가입일시",
        "최근 로그인",
    ]
    assert tables["방문에 관한 기록"][0] == ["일시", "IP 주소", "방문한 페이지", "한 일", "결과"]
    assert tables["기록의 파기 시점"][0] == ["기록", "보존 기간", "다음 파기 예정일"]


@pytest.mark.policy("7")
def test_the_csv_holds_the_same_items_as_the_json(reauthed_client, member, inquiry):
    MisuseRecord.objects.create(
        member=member, username_tried=member.username, ip="192.0.2.9", kind="lockout"
    )
    Download.objects.create(
        member=member, product="NEXCORE Framework", version="3.2.1", file_name="patch.zip"
    )
    tier = Tier.objects.create(
        name="Premium", hours_defect=1, hours_complaint=2, hours_question=3, hours_request=4
    )
    contract = Contract.objects.create(
        number="NXC-2026-001",
        company="Acme Corp",
        project="Apollo",
        tier=tier,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    Coverage.objects.create(contract=contract, member=member)
    privacy_services.record_request(
        member=member, kind="access", channel="web", details="내 문의 기록 사본을 요청합니다."
    )
    incident = incidents_services.save_incident(
        incident=Incident(
            title="Support export mailed to the wrong company",
            what_happened="A list of members was sent to another customer by mistake.",
            items="ID, company, project",
            occurred_at=timezone.now() - datetime.timedelta(hours=5),
            discovered_at=timezone.now() - datetime.timedelta(hours=1),
            cause="A handler chose the wrong list.",
            containment="The recipient deleted the file.",
            member_actions="Beware of calls quoting your project.",
            contact="Privacy officer, 02-6400-6123",
        )
    )
    incidents_services.select_affected(
        incident=incident, scope=incidents_services.SCOPE_IDS, usernames=[member.username]
    )
    incidents_services.notify_members(incident=incident)
    privacy_services.record_disclosure(
        recipient="서울중앙지방검찰청",
        basis="statute",
        statute="형사소송법 제199조, 2026형제1234",
        items="ID, IP address",
        members=[member],
    )
    # What the JSON download holds at the moment of the CSV's request (each request adds a visit
    # record once it is answered).
    member.refresh_from_db()
    data = json.loads(json.dumps(selectors.member_data(member)))
    response = reauthed_client.get(CSV)
    found = blocks(response)
    # A table per section in the JSON's order, and one for the messages inside the inquiries.
    assert len(found) == len(data) + 1
    sections = [block for block in found if " · " not in block[0][0]]
    for (name, section), block in zip(data.items(), sections, strict=True):
        items = section if isinstance(section, list) else [section]
        headings, rows = block[1], block[2:]
        assert items and len(rows) == len(items), name
        # Every key has its column, but the list of messages, which has its own table.
        for item in items:
            assert len(headings) == len([v for v in item.values() if not _is_items(v)]), name
    tables = by_title(response)
    profile = data["profile"]
    assert tables["회원정보"][1] == [
        profile["username"],
        profile["company"],
        profile["project"],
        profile["product"],
        shown(profile["date_joined"]),
        shown(profile["last_login"]),
    ]
    assert [row[0] for row in tables["방문에 관한 기록"][1:]] == [
        shown(visit["time"]) for visit in data["visit_records"]
    ]
    assert [row[:2] for row in tables["본인확인에 관한 기록"][1:]] == [
        [shown(record["time"]), record["ip"]] for record in data["identity_verifications"]
    ]
    assert {row[2] for row in tables["본인확인에 관한 기록"][1:]} == {"로그인", "비밀번호 재확인"}
    assert tables["부정이용기록"][1] == [
        shown(data["misuse_records"][0]["time"]),
        "192.0.2.9",
        "로그인 잠금",
        member.username,
    ]
    assert tables["동의 내역"][1][0] == data["consents"][0]["policy_version"]
    assert [row[0] for row in tables["기록의 파기 시점"][1:]][0] == "방문에 관한 기록"
    assert len(tables["기록의 파기 시점"]) - 1 == len(data["retention"])
    (message,) = tables["문의 · 글"][1:]
    assert message[0] == inquiry.number
    assert tables["지원 계약"][1][:2] == ["NXC-2026-001", "Premium"]
    assert tables["제3자 제공 내역"][1][:2] == ["서울중앙지방검찰청", "법령에 따른 적법한 요청"]
    assert tables["다운로드 (공급 기록)"][1][1:4] == ["NEXCORE Framework", "3.2.1", "patch.zip"]


def _is_items(value) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


@pytest.mark.policy("7")
def test_csv_cells_never_start_a_formula(reauthed_client, member, inquiry):
    member.company = "-2+3"
    member.project = "+cmd|' /C calc'!A0"
    member.save()
    tables = by_title(reauthed_client.get(CSV))
    assert tables["회원정보"][1][1:3] == ["'-2+3", "'+cmd|' /C calc'!A0"]
    (row,) = tables["문의"][1:]
    assert row[2] == '\'=HYPERLINK("http://evil.example/","click")'
    (message,) = tables["문의 · 글"][1:]
    assert message[4] == "'@SUM(A1:A9)\n+1 -1"


@pytest.mark.policy("7")
def test_the_csv_follows_the_active_language(reauthed_client):
    reauthed_client.cookies["django_language"] = "en"
    tables = by_title(reauthed_client.get(CSV, HTTP_ACCEPT_LANGUAGE="en"))
    assert tables["Visit records"][0] == [
        "Time",
        "IP address",
        "Page visited",
        "What you did",
        "Outcome",
    ]


@pytest.mark.policy("7")
@pytest.mark.parametrize("url", [CSV, PRINT])
def test_the_readable_exports_need_a_fresh_reauth(logged_in_client, url):
    response = logged_in_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:reauth')}?next={url.replace('/', '%2F')}"


@pytest.mark.policy("7")
@pytest.mark.parametrize("url", [CSV, PRINT])
def test_the_readable_exports_need_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.policy("7")
def test_the_print_view_shows_every_section_and_is_not_cached(reauthed_client, inquiry):
    response = reauthed_client.get(PRINT)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    data = reauthed_client.get(JSON).json()
    for name in data:
        assert f'id="print-{name}"' in html, name
    assert 'id="print-support_inquiries-messages"' in html
    for heading in (
        "회원정보",
        "동의 내역",
        "방문에 관한 기록",
        "본인확인에 관한 기록",
        "기록의 파기 시점",
    ):
        assert heading in html
    assert inquiry.number in html and "비밀번호 재확인" in html
    assert "이 표는 처음" not in html


@pytest.mark.policy("7")
def test_the_print_view_shows_the_newest_rows_of_a_long_table_and_says_so(
    reauthed_client, member, monkeypatch
):
    monkeypatch.setattr(views, "PRINT_ROWS", 5)
    start = timezone.now() + datetime.timedelta(days=1)
    VisitRecord.objects.bulk_create(
        VisitRecord(
            member=member,
            time=start + datetime.timedelta(minutes=n),
            method="GET",
            path="/",
            status=200,
        )
        for n in range(1, 8)
    )
    response = reauthed_client.get(PRINT)
    (table,) = [t for t in response.context["tables"] if t.key == "visit_records"]
    newest = timezone.localtime(start + datetime.timedelta(minutes=7))
    assert len(table.rows) == 5 and table.more
    assert table.rows[0][0] == newest.strftime("%Y-%m-%d %H:%M:%S")
    html = response.content.decode()
    assert "이 표는 처음 5행만 보여 드립니다." in html
    assert f'href="{CSV}"' in html and f'href="{JSON}"' in html
    (identity,) = [t for t in response.context["tables"] if t.key == "identity_verifications"]
    assert not identity.more


@pytest.mark.policy("7")
def test_the_readable_exports_take_the_same_few_queries_however_many_records(
    reauthed_client, member, django_assert_max_num_queries
):
    VisitRecord.objects.bulk_create(
        VisitRecord(member=member, method="GET", path="/", status=200) for _ in range(300)
    )
    IdentityVerification.objects.bulk_create(
        IdentityVerification(member=member, kind="login") for _ in range(300)
    )
    # Session, member, the policy in force; the retention schedule in one query; a query per
    # section (product, consents, visits, identity verifications, disclosures, privacy requests,
    # misuse, breach notices, inquiries, contracts, downloads); the visit record. The page adds
    # the header's count of unread answers.
    with django_assert_max_num_queries(16):
        assert reauthed_client.get(CSV).status_code == 200
    with django_assert_max_num_queries(17):
        assert reauthed_client.get(PRINT).status_code == 200


@pytest.mark.policy("7")
def test_a_section_no_app_labels_is_shown_under_its_own_keys(reauthed_client, monkeypatch):
    monkeypatch.setattr(
        hooks.export_sections,
        "_parts",
        [*hooks.export_sections._parts, lambda member: {"new_records": [{"code": "=1"}]}],
    )
    assert by_title(reauthed_client.get(CSV))["new_records"] == [["Code"], ["'=1"]]
