"""Incidents made through the real services, at pinned times in Seoul."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from incidents import services
from incidents.models import Incident
from staff.roles import PRIVACY_OFFICER

SEOUL = ZoneInfo("Asia/Seoul")
DISCOVERED = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SEOUL)


def seoul(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _in_english(client):
    # Texts are checked in their English source, which the Korean catalogue may translate; what
    # is written in the site's language (the report, the public notice) is checked by its values.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The staff's second factor has tests of its own (tests/staff/test_two_factor.py).
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def make_incident(db):
    def make(*, discovered_at=DISCOVERED, sensitive=False, intrusion=False, by=None, **fields):
        incident = Incident(
            title=fields.pop("title", "Support export mailed to the wrong company"),
            what_happened=fields.pop(
                "what_happened", "A list of members was sent to another customer by mistake."
            ),
            items=fields.pop("items", "ID, company, project"),
            occurred_at=fields.pop("occurred_at", discovered_at - datetime.timedelta(hours=5)),
            discovered_at=discovered_at,
            cause=fields.pop("cause", "The recipient called us; a handler chose the wrong list."),
            sensitive=sensitive,
            intrusion=intrusion,
            containment=fields.pop(
                "containment", "The recipient deleted the file and confirmed it in writing."
            ),
            member_actions=fields.pop(
                "member_actions", "Change your password and beware of calls quoting your project."
            ),
            contact=fields.pop("contact", "Privacy officer, 02-6400-6123"),
            **fields,
        )
        return services.save_incident(incident=incident, by=by)

    return make


@pytest.fixture
def incident(make_incident):
    return make_incident()


@pytest.fixture
def officer(login_as):
    return login_as(role=PRIVACY_OFFICER, username="officer01")
