"""고시 제8조: the monthly review lists every download with its reason, and the privacy officer
signs each month off once it is over; the months not yet signed off stay listed until they are."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from staff.exceptions import AlreadySignedOff, ReviewNotOver
from staff.models import AccessRecord, AccessReviewSignOff
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from staff.selectors.review import FLAGS, access_review, unreviewed_months
from staff.services import audit
from staff.services.review import sign_off_review
from tests.races import waiting_on_a_lock
from tests.staff.conftest import READ_AT, at

SEOUL = ZoneInfo("Asia/Seoul")
JANUARY, FEBRUARY, MARCH, APRIL = (datetime.date(2026, month, 1) for month in (1, 2, 3, 4))
MARCH_OVER = datetime.datetime(2026, 4, 1, 0, 0, tzinfo=SEOUL)
EXPORT = AccessRecord.Action.EXPORT

pytestmark = pytest.mark.law("고시 제8조")


@pytest.fixture
def officer(make_staff):
    return make_staff(username="officer01", role=PRIVACY_OFFICER)


def sign_off_post(month="2026-03", remarks="Checked every download with its handler."):
    return {"month": month, "remarks": remarks}


# --- Downloads in the review ---------------------------------------------------------------------


def test_the_review_lists_every_download_with_who_when_what_how_many_and_why(downloads):
    review = access_review(month=MARCH)
    assert [(d.staff, d.time, d.members, d.reason) for d in review.downloads] == [
        ("kim01", at(2), 2, ""),
        ("kim01", at(3), 2, "check"),
        ("kim01", at(4), 2, "Monthly  backup of the list"),
        ("kim01", at(5), 3, "monthly backup of the LIST "),
        ("kim01", at(6), 2, "Monthly backup of the list"),
        ("lee01", at(9), 2, "Monthly backup of the list"),
        ("lee01", at(10), 1, "Letter from member00 of 2 March"),
    ]
    assert {d.target for d in review.downloads} == {audit.MEMBER_TARGET}


def test_empty_short_and_repeated_reasons_are_flagged(downloads):
    flags = [d.flags for d in access_review(month=MARCH).downloads]
    assert flags == [
        ("empty",),
        ("short",),
        ("repetitive",),
        ("repetitive",),
        ("repetitive",),
        (),  # lee gave that reason once: another account's repeats are not lee's
        (),
    ]


def test_a_reason_given_twice_is_not_yet_repetitive(make_staff, member):
    kim = make_staff(username="kim01", role=PRIVACY_HANDLER)
    for day in (2, 3):
        audit.record_access(
            staff=kim,
            ip=None,
            action=EXPORT,
            members=[member],
            reason="Quarterly audit",
            now=at(day),
        )
    assert [d.flags for d in access_review(month=MARCH).downloads] == [(), ()]


def test_the_review_page_shows_the_downloads_and_their_flags(
    downloads, client, officer, read_in_april
):
    client.force_login(officer)
    html = client.get(reverse("access_review"), {"month": "2026-03"}).content.decode()
    downloads_section = html[html.index('id="downloads"') : html.index('id="sign-off"')]
    assert "Letter from member00 of 2 March" in downloads_section
    for flag in FLAGS.values():
        assert str(flag) in downloads_section


def test_the_command_prints_the_downloads_and_whether_the_month_is_signed_off(
    downloads, officer, capsys, read_in_april
):
    call_command("access_review", "--month", "2026-03")
    out = capsys.readouterr().out
    assert "downloads=7" in out
    assert (
        "  download 2026-03-03 10:00 kim01 accounts.user members=2 flags=short reason='check'"
        in out
    )
    assert "flags=repetitive" in out and "flags=empty" in out
    assert out.rstrip().endswith("not signed off")

    sign_off_review(month=MARCH, officer=officer, remarks="Asked kim01 about the backups.")
    call_command("access_review", "--month", "2026-03")
    out = capsys.readouterr().out
    assert "signed off 2026-04-10 09:00 by officer01" in out
    assert "  remarks 'Asked kim01 about the backups.'" in out


# --- Signing a month off -------------------------------------------------------------------------


def test_the_officer_signs_off_a_month_that_is_over(client, officer, read_in_april):
    client.force_login(officer)
    page = client.get(reverse("access_review"), {"month": "2026-03"})
    assert 'name="month"' in page.content.decode() and page.context["sign_off_form"] is not None
    response = client.post(reverse("access_review"), sign_off_post())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('access_review')}?month=2026-03"
    sign_off = AccessReviewSignOff.objects.get()
    assert (sign_off.month, sign_off.signed_by, sign_off.signed_by_username) == (
        MARCH,
        officer,
        "officer01",
    )
    assert sign_off.signed_at == READ_AT
    assert sign_off.remarks == "Checked every download with its handler."
    html = client.get(response["Location"]).content.decode()
    assert "officer01" in html and "Checked every download with its handler." in html
    assert 'name="remarks"' not in html


def test_a_handler_may_not_sign_off(client, login_as, read_in_april):
    login_as(role=PRIVACY_HANDLER)
    assert client.post(reverse("access_review"), sign_off_post()).status_code == 403
    assert not AccessReviewSignOff.objects.exists()


def test_seeing_the_review_is_not_enough_to_sign_it_off(client, make_staff, read_in_april):
    reader = make_staff(username="reader01")
    reader.user_permissions.add(Permission.objects.get(codename="view_access_review"))
    client.force_login(reader)
    page = client.get(reverse("access_review"), {"month": "2026-03"})
    assert page.status_code == 200 and page.context["sign_off_form"] is None
    assert client.post(reverse("access_review"), sign_off_post()).status_code == 403
    with pytest.raises(PermissionDenied):
        sign_off_review(month=MARCH, officer=reader)
    assert not AccessReviewSignOff.objects.exists()


def test_the_current_month_cannot_be_signed_off(client, officer, read_in_april):
    client.force_login(officer)
    page = client.get(reverse("access_review"), {"month": "2026-04"})
    assert page.context["sign_off_form"] is None
    response = client.post(reverse("access_review"), sign_off_post(month="2026-04"), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        gettext("This month is not over yet: it cannot be signed off.")
    ]
    assert not AccessReviewSignOff.objects.exists()


def test_a_month_can_be_signed_off_from_the_first_instant_after_it(officer):
    just_before = MARCH_OVER - datetime.timedelta(microseconds=1)
    with pytest.raises(ReviewNotOver):
        sign_off_review(month=MARCH, officer=officer, now=just_before)
    sign_off_review(month=datetime.date(2026, 3, 17), officer=officer, now=MARCH_OVER)
    assert AccessReviewSignOff.objects.get().month == MARCH


def test_a_month_is_signed_off_only_once(client, officer, make_staff, read_in_april):
    sign_off_review(month=MARCH, officer=officer, remarks="First")
    other = make_staff(username="officer02", role=PRIVACY_OFFICER)
    with pytest.raises(AlreadySignedOff):
        sign_off_review(month=MARCH, officer=other, remarks="Second")
    client.force_login(other)
    response = client.post(reverse("access_review"), sign_off_post(), follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        gettext("This month has been signed off already.")
    ]
    assert list(AccessReviewSignOff.objects.values_list("remarks", flat=True)) == ["First"]


@pytest.mark.parametrize("remarks", ["x" * 2001, "\x00"])
def test_bad_remarks_get_a_form_error_not_a_500(client, officer, read_in_april, remarks):
    client.force_login(officer)
    response = client.post(reverse("access_review"), sign_off_post(remarks=remarks))
    assert response.status_code in (200, 400)
    assert not AccessReviewSignOff.objects.exists()


def test_a_sign_off_is_append_only(officer, read_in_april):
    from staff.exceptions import AppendOnlyRecord

    sign_off = sign_off_review(month=MARCH, officer=officer)
    sign_off.remarks = "Changed afterwards"
    with pytest.raises(AppendOnlyRecord):
        sign_off.save()
    with pytest.raises(AppendOnlyRecord):
        AccessReviewSignOff.objects.all().delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "archive"])
def test_two_sign_offs_sent_at_once_make_one_and_a_refusal(officer, make_staff):
    """PostgreSQL: the first holds its uncommitted sign-off until the second is blocked on the
    unique month; the second then gets the refusal. (SQLite runs one write transaction at a
    time; test_sign_off_races.py sends two at once through the live portal on both.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    other = make_staff(username="officer02", role=PRIVACY_OFFICER)
    inserted = threading.Event()

    def hold(sender, instance, created, **kwargs):
        if threading.current_thread().name == "first":
            inserted.set()
            assert waiting_on_a_lock(), "the second sign-off never met the first"

    outcomes = {}

    def run(name, who):
        try:
            outcomes[name] = sign_off_review(month=MARCH, officer=who, now=READ_AT)
        except (AlreadySignedOff, AssertionError) as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    post_save.connect(hold, sender=AccessReviewSignOff, weak=False)
    try:
        first = threading.Thread(target=run, args=("first", officer), name="first")
        second = threading.Thread(target=run, args=("second", other), name="second")
        first.start()
        assert inserted.wait(timeout=30)
        second.start()
        first.join()
        second.join()
    finally:
        post_save.disconnect(hold, sender=AccessReviewSignOff)
    assert isinstance(outcomes["first"], AccessReviewSignOff), outcomes
    assert isinstance(outcomes["second"], AlreadySignedOff), outcomes
    assert list(AccessReviewSignOff.objects.values_list("signed_by_username", flat=True)) == [
        "officer01"
    ]


# --- The months not yet signed off ---------------------------------------------------------------


def test_months_from_the_first_record_to_last_month_are_listed_until_signed_off(
    make_staff, member, officer, client, read_in_april
):
    handler = make_staff(username="kim01", role=PRIVACY_HANDLER)
    audit.record_access(
        staff=handler, ip=None, action="view", members=[member], now=at(20, month=1)
    )
    assert unreviewed_months() == [JANUARY, FEBRUARY, MARCH]
    client.force_login(officer)
    html = client.get(reverse("access_review")).content.decode()
    for month in ("2026-01", "2026-02", "2026-03"):
        assert f'href="?month={month}"' in html
    assert 'href="?month=2026-04"' not in html

    client.post(reverse("access_review"), sign_off_post(month="2026-02"))
    assert unreviewed_months() == [JANUARY, MARCH]
    for month in (JANUARY, MARCH):
        sign_off_review(month=month, officer=officer)
    assert unreviewed_months() == []
    html = client.get(reverse("access_review")).content.decode()
    assert gettext("Every month that is over has been signed off.") in html


def test_with_no_access_recorded_no_month_waits_for_review(db, read_in_april):
    assert unreviewed_months() == []


def test_the_review_page_runs_a_fixed_number_of_queries(
    downloads, make_staff, make_member, officer, client, read_in_april
):
    client.force_login(officer)
    url = f"{reverse('access_review')}?month=2026-03"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    kim = make_staff(username="kim02", role=PRIVACY_HANDLER)
    more = [make_member(username=f"more{n:02}", ip=f"10.0.1.{n}") for n in range(5)]
    for day in range(12, 20):
        audit.record_access(
            staff=kim, ip=None, action=EXPORT, members=more, reason="Yearly audit", now=at(day)
        )
    audit.record_access(staff=kim, ip=None, action="view", members=more, now=at(5, month=1))
    sign_off_review(month=FEBRUARY, officer=officer)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before), [query["sql"] for query in after]
