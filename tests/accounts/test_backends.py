"""The login backend (``accounts.backends.MemberBackend``): Django's model backend, reading the
member's product along with the member."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import MemberBackend
from accounts.models import User

pytestmark = pytest.mark.policy("2 가")


def test_a_session_of_a_member_suspended_since_login_is_no_longer_logged_in(
    logged_in_client, member
):
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = logged_in_client.get(reverse("accounts:me"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_unknown_or_inactive_account_is_nobody(member):
    assert MemberBackend().get_user(member.pk + 1000) is None
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert MemberBackend().get_user(member.pk) is None


@pytest.mark.infra
def test_the_members_product_comes_with_the_member(member, product):
    found = MemberBackend().get_user(member.pk)
    with CaptureQueriesContext(connection) as queries:
        assert found.product == product
    assert len(queries) == 0
    User.objects.filter(pk=member.pk).update(product=None)
    assert MemberBackend().get_user(member.pk).product is None
