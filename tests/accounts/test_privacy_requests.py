"""Requests under policy §7 made on the web, and their answers on the my-data page."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacyRequest
from privacy.services import record_request, resolve_request

NEW = reverse("accounts:new_request")
ME = reverse("accounts:me")
pytestmark = pytest.mark.policy("7")


def refusal_of(member) -> PrivacyRequest:
    """A refusal given five days ago: the member may still object to it."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5), tick=False):
        return resolve_request(
            request=record_request(member=member, kind="deletion", channel="web"),
            resolution="Kept for the dispute 2026-3 under way.",
            refused=True,
        )


def test_without_a_fresh_password_check_a_request_is_not_taken(logged_in_client, member):
    response = logged_in_client.post(NEW, {"kind": "access", "details": "All of it."})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('accounts:reauth')}?next=")
    assert not PrivacyRequest.objects.exists()


def test_a_member_files_a_request_on_the_web(reauthed_client, member):
    before = timezone.now()
    response = reauthed_client.post(
        NEW, {"kind": "suspension", "details": "Stop using my data for statistics."}
    )
    assert response.status_code == 302 and response["Location"] == ME
    request = PrivacyRequest.objects.get()
    assert (request.member, request.kind, request.channel) == (member, "suspension", "web")
    assert request.details == "Stop using my data for statistics."
    assert before <= request.received_at <= timezone.now()
    assert request.due_at == request.received_at + datetime.timedelta(days=10)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "access", "details": ""},
        {"kind": "access", "details": "x" * 2001},
        {"kind": "erase-everything", "details": "Please."},
        {"kind": "objection", "details": "I disagree."},
        {},
    ],
)
def test_bad_requests_are_refused_with_a_message_and_record_nothing(reauthed_client, data):
    response = reauthed_client.post(NEW, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not PrivacyRequest.objects.exists()


def test_a_second_open_request_of_a_kind_is_refused_on_the_form(reauthed_client, member):
    record_request(member=member, kind="deletion", channel="phone")
    response = reauthed_client.post(NEW, {"kind": "deletion", "details": "Delete all."})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["kind"]] == ["already_open"]
    assert PrivacyRequest.objects.count() == 1


@pytest.mark.law("PIPA §38")
def test_the_member_sees_the_refusal_and_its_reasons_and_objects_to_it(reauthed_client, member):
    refusal = refusal_of(member)
    page = reauthed_client.get(ME).content.decode()
    assert "Kept for the dispute 2026-3 under way." in page
    link = f"{NEW}?kind=objection&amp;objects_to={refusal.pk}"
    assert link in page
    form = reauthed_client.get(f"{NEW}?kind=objection&objects_to={refusal.pk}")
    assert form.context["form"]["objects_to"].value() == str(refusal.pk)
    response = reauthed_client.post(
        NEW, {"kind": "objection", "objects_to": refusal.pk, "details": "No dispute exists."}
    )
    assert response.status_code == 302
    objection = PrivacyRequest.objects.get(kind="objection")
    assert objection.objects_to == refusal and objection.channel == "web"
    assert link not in reauthed_client.get(ME).content.decode()


@pytest.mark.law("PIPA §38")
def test_a_member_cannot_object_to_another_members_refusal(reauthed_client, member, make_member):
    others = refusal_of(make_member(username="other01"))
    refusal_of(member)
    response = reauthed_client.post(
        NEW, {"kind": "objection", "objects_to": others.pk, "details": "Mine now."}
    )
    assert response.status_code == 200 and "objects_to" in response.context["form"].errors
    assert not PrivacyRequest.objects.filter(kind="objection").exists()


def test_without_a_refusal_to_object_to_objection_is_not_offered(reauthed_client):
    form = reauthed_client.get(NEW).context["form"]
    assert "objects_to" not in form.fields
    assert "objection" not in dict(form.fields["kind"].choices)


def test_the_page_lists_the_requests_outcome_but_not_a_draft_answer(reauthed_client, member):
    answered = record_request(member=member, kind="access", channel="letter")
    resolve_request(request=answered, resolution="A copy was sent by post.")
    open_one = record_request(member=member, kind="correction", channel="phone")
    PrivacyRequest.objects.filter(pk=open_one.pk).update(resolution="Draft: ask the company.")
    page = reauthed_client.get(ME).content.decode()
    assert "A copy was sent by post." in page
    assert "Draft: ask the company." not in page


def test_the_export_lists_the_requests_and_their_answers(reauthed_client, member):
    refusal = refusal_of(member)
    data = reauthed_client.get(reverse("accounts:export")).json()
    (entry,) = data["privacy_requests"]
    assert entry["kind"] == "deletion" and entry["status"] == "refused"
    assert entry["resolution"] == refusal.resolution
    assert entry["resolved_at"] is not None


def test_a_member_whose_only_request_is_still_open_sees_it_on_the_page(reauthed_client, member):
    # An open request has no resolution yet, so nothing dates it for retention: the page must
    # still find it.
    open_one = record_request(member=member, kind="suspension", channel="phone")
    response = reauthed_client.get(ME)
    assert list(response.context["privacy_requests"]) == [open_one]
    due = timezone.localtime(open_one.due_at).strftime("%Y-%m-%d %H:%M")
    assert due in response.content.decode()
