"""개인정보 접속기록 (policy §9 다): every staff handling of member data leaves a record."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts import services
from retention.registry import CATEGORIES, EXPIRING, MEMBER_FK, MEMBER_ID
from staff.exceptions import AppendOnlyRecord
from staff.models import AccessRecord, PrivilegeChange
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER
from tests.retention.conftest import make_row
from tests.staff.downloads import export_form

VIEWED_AT = datetime.datetime(2026, 4, 7, 14, 30, tzinfo=ZoneInfo("Asia/Seoul"))

pytestmark = pytest.mark.policy("9 다")


def records(action):
    return AccessRecord.objects.filter(action=action)


def test_viewing_a_members_page_is_recorded_with_who_when_where_and_whom(client, login_as, member):
    handler = login_as(role=PRIVACY_HANDLER)
    with time_machine.travel(VIEWED_AT, tick=False):
        client.get(reverse("admin:accounts_user_change", args=[member.pk]), REMOTE_ADDR="192.0.2.9")
    record = records("view").get()
    assert record.staff == handler and record.staff_username == handler.username
    assert record.ip == "192.0.2.9"
    assert record.member == member
    assert record.target == "accounts.user"
    assert record.time == VIEWED_AT


def test_a_list_names_every_member_it_shows_and_the_query(client, login_as, make_member):
    first, second = make_member(username="alpha01"), make_member(username="bravo01")
    login_as(role=PRIVACY_HANDLER)
    client.get(reverse("admin:accounts_user_changelist"), {"q": "01"})
    listed = records("list")
    assert set(listed.values_list("member", flat=True)) == {first.pk, second.pk}
    assert set(listed.values_list("detail", flat=True)) == {"q=01"}


def test_an_empty_search_is_recorded_by_its_query(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    client.get(reverse("admin:accounts_user_changelist"), {"q": "nobody"})
    record = records("list").get()
    assert record.member is None and record.detail == "q=nobody"


@pytest.mark.parametrize(
    "page",
    [
        "admin:accounts_user_changelist",
        "admin:support_inquiry_changelist",
        "admin:selfservice_download_changelist",
    ],
)
def test_a_search_with_a_nul_is_recorded_not_a_500(client, login_as, member, page):
    """PostgreSQL text cannot hold a NUL: the record keeps U+FFFD in its place."""
    login_as(role=PRIVACY_OFFICER)
    response = client.get(reverse(page), {"q": "a\x00b"})
    assert response.status_code == 200
    assert records("list").get().detail == "q=a\ufffdb"


def test_record_lists_name_the_members_of_the_rows_shown(client, login_as, member):
    from accounts.services import record_visit

    record_visit(ip="192.0.2.1", member=member, method="GET", path="/", status=200)
    login_as(role=PRIVACY_HANDLER)
    client.get(reverse("admin:accounts_visitrecord_changelist"))
    assert list(records("list").values_list("member", flat=True).distinct()) == [member.pk]
    assert records("list").first().target == "accounts.visitrecord"


def screens() -> dict[str, str]:
    """The changelist URL of the admin screen of each table, by the table's model label: a proxy
    registered in the admin (staff.models) shows its table's rows."""
    return {
        model._meta.concrete_model._meta.label_lower: reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }


# Admin screens of member-linked records that write no access record, and why.
NOT_AUDITED = {
    # The evidence itself, read-only; reading it is the monthly review (staff/admin/records.py).
    "staff.accessrecord",
    "staff.privilegechange",
    # django-otp's screen of second-factor devices: staff accounts', not members' data.
    "otp_totp.totpdevice",
}


def member_record_screens() -> list[tuple[str, str]]:
    """(model, category) of every admin screen listing rows of a registered source that names
    members, by foreign key or by ID: the registry decides, so a new screen is checked without
    a word."""
    registered = {model._meta.concrete_model._meta.label_lower for model in admin.site._registry}
    sources = [(entry.key, source) for entry in CATEGORIES for source in entry.sources]
    sources += [("sessions", source) for source in EXPIRING]
    return sorted(
        {
            (source.model, key)
            for key, source in sources
            if source.model in registered
            and source.model not in NOT_AUDITED
            and any(kind in (MEMBER_FK, MEMBER_ID) for _column, kind in source.owners)
        }
    )


@pytest.mark.parametrize("model, category", member_record_screens())
def test_every_admin_list_of_member_records_names_the_members_it_showed(
    client, login_as, member, model, category
):
    make_row(model, at=timezone.now(), member=member, category=category)
    login_as(superuser=True)
    assert client.get(screens()[model]).status_code == 200
    listed = records("list").filter(target=model)
    assert list(listed.values_list("member", flat=True)) == [member.pk]


def test_a_change_is_recorded_with_the_fields_changed(client, login_as, member, product):
    login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_change", args=[member.pk]),
        {"company": "New Co", "project": member.project, "product": product.pk},
    )
    assert response.status_code == 302
    record = records("change").get()
    assert record.member == member and record.detail == "company"


def test_an_export_names_each_member_exported(client, login_as, make_member):
    members = [make_member(username=f"export{n:02}") for n in range(3)]
    login_as(role=PRIVACY_HANDLER)
    response = client.post(reverse("admin:accounts_user_changelist"), export_form(members))
    assert "export01" in response.content.decode()
    assert set(records("export").values_list("member", flat=True)) == {m.pk for m in members}
    assert not records("admin_action").exists()


@pytest.mark.policy("7")
def test_withdrawn_members_are_never_exported(client, login_as, make_member):
    staying = make_member(username="staying01")
    leaving = make_member(username="leaving01", company="Leaving Co")
    services.close_account(member=leaving)
    login_as(role=PRIVACY_HANDLER)
    response = client.post(
        reverse("admin:accounts_user_changelist"), export_form([staying, leaving])
    )
    body = response.content.decode()
    assert "staying01" in body
    assert "leaving01" not in body and "Leaving Co" not in body
    assert set(records("export").values_list("member", flat=True)) == {staying.pk}


def test_access_records_can_be_neither_changed_nor_deleted(client, login_as, member):
    login_as(role=PRIVACY_HANDLER)
    client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    record = records("view").get()
    record.action = "list"
    with pytest.raises(AppendOnlyRecord):
        record.save()
    with pytest.raises(AppendOnlyRecord):
        record.delete()
    with pytest.raises(AppendOnlyRecord):
        AccessRecord.objects.all().delete()
    with pytest.raises(AppendOnlyRecord):
        AccessRecord.objects.update(action="list")
    assert records("view").count() == 1


def test_the_officer_reads_access_records_but_cannot_change_them(client, login_as, member):
    login_as(role=PRIVACY_HANDLER, username="handler01")
    client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    login_as(role=PRIVACY_OFFICER, username="officer01")
    record = records("view").get()
    page = client.get(reverse("admin:staff_accessrecord_change", args=[record.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:staff_accessrecord_change", args=[record.pk]), {"action": "list"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:staff_accessrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


# --- Privilege grants and removals (kept three years) ------------------------------------------


def test_granting_and_removing_a_role_in_admin_is_recorded(client, login_as, make_staff):
    ops = login_as(superuser=True)
    colleague = make_staff(username="newhand01")
    from django.contrib.auth.models import Group

    role = Group.objects.get(name=PRIVACY_HANDLER)
    data = {
        "username": colleague.username,
        "is_active": "on",
        "is_staff": "on",
        "groups": [role.pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    assert client.post(url, data, REMOTE_ADDR="192.0.2.50").status_code == 302
    grant = PrivilegeChange.objects.get(change=f"role {PRIVACY_HANDLER} granted")
    assert grant.subject == colleague and grant.changed_by == ops and grant.ip == "192.0.2.50"
    del data["groups"]
    del data["is_staff"]
    assert client.post(url, data).status_code == 302
    changes = set(
        PrivilegeChange.objects.filter(subject=colleague).values_list("change", flat=True)
    )
    assert {f"role {PRIVACY_HANDLER} removed", "is_staff removed"} <= changes


def test_privilege_flags_and_permissions_are_recorded_outside_requests_too(make_staff, db):
    from django.contrib.auth.models import Permission

    user = make_staff(username="cli01")
    assert PrivilegeChange.objects.filter(subject=user, change="is_staff granted").exists()
    user.is_superuser = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_product"))
    changes = set(PrivilegeChange.objects.filter(subject=user).values_list("change", flat=True))
    assert {"is_superuser granted", "permission accounts.view_product granted"} <= changes
    assert PrivilegeChange.objects.filter(subject=user).first().changed_by is None


@pytest.mark.policy("9 다")
def test_role_changes_from_the_role_side_and_clearing_are_recorded(make_staff, db):
    from django.contrib.auth.models import Group, Permission

    role = Group.objects.get(name=PRIVACY_HANDLER)
    first, second = make_staff(username="side01"), make_staff(username="side02")
    role.user_set.add(first, second)
    first.groups.clear()
    role.user_set.remove(second)
    changes = set(PrivilegeChange.objects.values_list("subject__username", "change"))
    assert {
        ("side01", f"role {PRIVACY_HANDLER} granted"),
        ("side02", f"role {PRIVACY_HANDLER} granted"),
        ("side01", f"role {PRIVACY_HANDLER} removed"),
        ("side02", f"role {PRIVACY_HANDLER} removed"),
    } <= changes
    permission = Permission.objects.get(codename="view_accessrecord")
    # The role sync that ends migrate may have recorded changes of its own already.
    earlier = list(PrivilegeChange.objects.values_list("pk", flat=True))
    role.permissions.add(permission)
    role.permissions.remove(permission)
    assert set(
        PrivilegeChange.objects.filter(group_name=PRIVACY_HANDLER)
        .exclude(pk__in=earlier)
        .values_list("change", flat=True)
    ) == {
        "role permission staff.view_accessrecord granted",
        "role permission staff.view_accessrecord removed",
    }


def test_privilege_changes_are_append_only(make_staff):
    make_staff(username="cli02")
    with pytest.raises(AppendOnlyRecord):
        PrivilegeChange.objects.all().delete()
