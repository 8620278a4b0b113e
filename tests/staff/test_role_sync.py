"""Access rights (안전성 확보조치 기준 제5조; policy §9 다): the roles in the database are exactly
``staff.roles``, repaired by every migrate and by ``sync_roles``, and an account leaving staff
loses every role at once, each change a privilege-change record."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.urls import reverse

from accounts.models import User
from staff.models import PrivilegeChange
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, ROLES, SUPPORT_AGENT
from staff.services import audit, roles
from staff.services.roles import EXTRA, MISSING, MISSING_ROLE, RoleDifference, sync_roles
from tests.races import waiting_on_a_lock

pytestmark = [pytest.mark.law("고시 제5조"), pytest.mark.policy("9 다")]


def permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def held() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        for group in Group.objects.filter(name__in=ROLES)
    }


def last_record() -> int:
    return PrivilegeChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def records_after(action) -> set[tuple[str, str]]:
    """The privilege changes ``action()`` recorded: (role, change) pairs."""
    last = last_record()
    action()
    rows = PrivilegeChange.objects.filter(id__gt=last)
    return set(rows.values_list("group_name", "change"))


def exactly_roles() -> dict[str, set[str]]:
    return {name: set(codes) for name, codes in ROLES.items()}


def hand_edit() -> None:
    """What an operator might do in the group admin: one right taken, one given, one role gone."""
    handler = Group.objects.get(name=PRIVACY_HANDLER)
    handler.permissions.remove(permission("accounts.export_member"))
    handler.permissions.add(permission("accounts.delete_user"))
    Group.objects.get(name=CONTRACT_MANAGER).delete()


EXPECTED = [
    RoleDifference(CONTRACT_MANAGER, MISSING_ROLE),
    *(RoleDifference(CONTRACT_MANAGER, MISSING, code) for code in sorted(ROLES[CONTRACT_MANAGER])),
    RoleDifference(PRIVACY_HANDLER, MISSING, "accounts.export_member"),
    RoleDifference(PRIVACY_HANDLER, EXTRA, "accounts.delete_user"),
]


def run(*args) -> str:
    out = StringIO()
    call_command("sync_roles", *args, stdout=out)
    return out.getvalue()


def test_after_migrate_the_roles_are_exactly_staff_roles(db):
    assert held() == exactly_roles()
    assert sync_roles(apply=False) == []
    assert run("--check").strip() == "The roles agree with staff.roles."


def test_migrate_repairs_a_hand_edited_role_and_records_each_change(db):
    hand_edit()
    changes = records_after(lambda: call_command("migrate", verbosity=0))
    assert held() == exactly_roles()
    assert (CONTRACT_MANAGER, "role created") in changes
    assert (PRIVACY_HANDLER, "role permission accounts.delete_user removed") in changes
    assert (PRIVACY_HANDLER, "role permission accounts.export_member granted") in changes
    granted = {f"role permission {code} granted" for code in ROLES[CONTRACT_MANAGER]}
    assert granted <= {change for group, change in changes if group == CONTRACT_MANAGER}


def test_sync_roles_repairs_and_reports_what_it_changed(db):
    hand_edit()
    out = run()
    assert out.splitlines() == [*map(str, EXPECTED), f"{len(EXPECTED)} differences repaired."]
    assert "privacy_handler: extra accounts.delete_user" in out
    assert held() == exactly_roles()
    assert run().strip() == "The roles agree with staff.roles."


def test_check_lists_the_differences_changes_nothing_and_exits_1(db):
    hand_edit()
    before = held()
    records = PrivilegeChange.objects.count()
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("sync_roles", "--check", stdout=out)
    assert refused.value.returncode == 1
    assert out.getvalue().splitlines() == [str(difference) for difference in EXPECTED]
    assert held() == before
    assert PrivilegeChange.objects.count() == records


def test_groups_that_are_not_roles_are_left_alone(db):
    other = Group.objects.create(name="auditors")
    other.permissions.add(permission("accounts.view_user"))
    hand_edit()
    sync_roles()
    assert list(other.permissions.all()) == [permission("accounts.view_user")]


def test_a_permission_no_model_defines_is_refused(db, monkeypatch):
    monkeypatch.setitem(roles.ROLES, SUPPORT_AGENT, (*ROLES[SUPPORT_AGENT], "accounts.fly_user"))
    with pytest.raises(CommandError) as refused:
        run()
    assert refused.value.returncode == 1
    assert "accounts.fly_user" in str(refused.value)


def test_the_archive_database_holds_no_roles(db):
    assert sync_roles(using="archive") == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "archive"])
def test_two_syncs_at_once_take_turns_and_record_each_change_once(monkeypatch):
    """PostgreSQL's READ COMMITTED would let both find the same permission missing; the second
    must wait on the first's lock. (SQLite runs one write transaction at a time.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    Group.objects.get(name=PRIVACY_OFFICER).permissions.remove(permission("accounts.view_user"))
    compared, go_on = threading.Event(), threading.Event()
    compare = roles._differences

    def compare_then_hold(held):
        differences = compare(held)
        if threading.current_thread().name == "first":
            compared.set()
            go_on.wait(timeout=30)
        return differences

    monkeypatch.setattr(roles, "_differences", compare_then_hold)
    found = {}

    def sync(name):
        try:
            found[name] = sync_roles()
        finally:
            connections.close_all()

    first = threading.Thread(target=sync, args=("first",), name="first")
    second = threading.Thread(target=sync, args=("second",), name="second")
    first.start()
    assert compared.wait(timeout=30)
    second.start()
    assert waiting_on_a_lock(locktype="advisory"), "the second sync compared while the first held"
    go_on.set()
    first.join()
    second.join()
    assert found == {
        "first": [RoleDifference(PRIVACY_OFFICER, MISSING, "accounts.view_user")],
        "second": [],
    }
    grants = PrivilegeChange.objects.filter(
        group_name=PRIVACY_OFFICER, change="role permission accounts.view_user granted"
    )
    assert grants.count() == 1


# --- Leaving staff ---------------------------------------------------------------------------


def changes_of(user: User, *, after: int) -> set[str]:
    rows = PrivilegeChange.objects.filter(subject=user, id__gt=after)
    return set(rows.values_list("change", flat=True))


def test_removing_is_staff_removes_every_role_and_superuser_at_once(make_staff):
    user = make_staff(username="leaver01", role=PRIVACY_HANDLER)
    user.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    user.user_permissions.add(permission("accounts.view_product"))
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    user.refresh_from_db()
    last = last_record()
    user.is_staff = False
    user.save()
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert changes_of(user, after=last) == {
        "is_staff removed",
        "is_superuser removed",
        f"role {PRIVACY_HANDLER} removed",
        f"role {SUPPORT_AGENT} removed",
        "permission accounts.view_product removed",
    }


def test_leaving_staff_happens_in_the_same_transaction_or_not_at_all(make_staff, monkeypatch):
    user = make_staff(username="leaver01", role=PRIVACY_HANDLER)
    record = audit.record_privilege_change

    def refuse_role_records(**kwargs):
        if kwargs["change"].startswith("role "):
            raise RuntimeError("the records table is unavailable")
        return record(**kwargs)

    monkeypatch.setattr(audit, "record_privilege_change", refuse_role_records)
    user.is_staff = False
    with pytest.raises(RuntimeError), transaction.atomic():
        user.save()
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [PRIVACY_HANDLER]


def test_a_member_made_staff_and_back_keeps_nothing(make_member):
    member = make_member(username="member77")
    member.is_staff = True
    member.save()
    member.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    member.is_staff = False
    member.save(update_fields=["is_staff"])
    assert not member.groups.exists()


def _change_form_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "company": user.company,
        "project": user.project,
        "product": user.product_id or "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in user.user_permissions.values_list("pk", flat=True)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_unticking_staff_status_in_admin_removes_the_roles_still_ticked(
    client, login_as, make_staff
):
    login_as(superuser=True)
    user = make_staff(username="leaver01", role=PRIVACY_OFFICER)
    last = last_record()
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _change_form_data(user, is_staff=""))
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()
    assert changes_of(user, after=last) == {"is_staff removed", f"role {PRIVACY_OFFICER} removed"}


def test_a_staff_account_keeps_its_roles_when_other_fields_change(client, login_as, make_staff):
    login_as(superuser=True)
    user = make_staff(username="stayer01", role=PRIVACY_OFFICER)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.post(url, _change_form_data(user, company="New Co"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(user.groups.values_list("name", flat=True)) == [PRIVACY_OFFICER]
