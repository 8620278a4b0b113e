"""Least privilege (policy §9 다): each role sees and may do exactly its share, and no more."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from staff.models import AccessRecord
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, ROLES, SUPPORT_AGENT
from tests.staff.downloads import export_form

AGENT, HANDLER, OFFICER, SUPERUSER = SUPPORT_AGENT, PRIVACY_HANDLER, PRIVACY_OFFICER, "superuser"
MANAGER = CONTRACT_MANAGER

# Page → the roles that may open it; everyone else gets 403.
PAGES = {
    "admin:accounts_user_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_user_change": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_user_flag": {HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_user_export": {HANDLER, OFFICER, SUPERUSER},
    "admin:auth_user_password_change": {SUPERUSER},
    "admin:accounts_product_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_product_add": {AGENT, SUPERUSER},
    "admin:accounts_visitrecord_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_identityverification_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_misuserecord_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_user_reset_code": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:accounts_passwordresetcode_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:staff_accessrecord_changelist": {OFFICER, SUPERUSER},
    "admin:staff_privilegechange_changelist": {OFFICER, SUPERUSER},
    "admin:staff_accessrecord_add": set(),
    "admin:privacy_consent_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:privacy_notice_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:privacy_notice_add": {AGENT, SUPERUSER},
    "admin:privacy_policyversion_changelist": {OFFICER, SUPERUSER},
    "admin:privacy_privacyrequest_changelist": {HANDLER, OFFICER, SUPERUSER},
    "admin:privacy_privacyrequest_add": {OFFICER, SUPERUSER},
    "admin:privacy_disclosure_changelist": {OFFICER, SUPERUSER},
    "admin:privacy_disclosure_add": {OFFICER, SUPERUSER},
    "admin:privacy_correctionnotice_changelist": {OFFICER, SUPERUSER},
    "admin:retention_legalhold_changelist": {OFFICER, SUPERUSER},
    "admin:retention_legalhold_add": {OFFICER, SUPERUSER},
    "admin:retention_purgerun_changelist": {OFFICER, SUPERUSER},
    "admin:retention_purgerun_add": set(),
    "admin:auth_group_changelist": {SUPERUSER},
    "access_review": {OFFICER, SUPERUSER},
    "staff_dashboard": {AGENT, HANDLER, OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_contract_changelist": {AGENT, HANDLER, OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_contract_add": {OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_payment_changelist": {OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_payment_add": {OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_tier_changelist": {AGENT, HANDLER, OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_tier_add": {OFFICER, MANAGER, SUPERUSER},
    "admin:selfservice_release_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:selfservice_release_add": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:selfservice_download_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:selfservice_download_add": set(),
    "admin:selfservice_article_changelist": {AGENT, HANDLER, OFFICER, SUPERUSER},
    "admin:selfservice_article_add": {AGENT, HANDLER, OFFICER, SUPERUSER},
}
WITH_MEMBER = {
    "admin:accounts_user_change",
    "admin:accounts_user_flag",
    "admin:accounts_user_export",
    "admin:accounts_user_reset_code",
    "admin:auth_user_password_change",
}


def log_in(login_as, role):
    return login_as(superuser=True) if role == SUPERUSER else login_as(role=role)


@pytest.mark.policy("9 다")
@pytest.mark.parametrize("role", [AGENT, HANDLER, OFFICER, MANAGER, SUPERUSER])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_may_open_exactly_its_pages(client, login_as, member, role, page):
    log_in(login_as, role)
    url = reverse(page, args=[member.pk] if page in WITH_MEMBER else [])
    status = client.get(url).status_code
    if role in PAGES[page]:
        assert status == 200, (role, page, status)
    else:
        assert status == 403, (role, page, status)


@pytest.mark.policy("9 다")
def test_the_roles_are_created_with_exactly_their_permissions(db):
    for name, codes in ROLES.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{app}.{code}"
            for app, code in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert granted == set(codes), name


@pytest.mark.policy("9 다")
def test_the_admin_index_hides_what_an_agent_may_not_see(client, login_as):
    log_in(login_as, AGENT)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_product_changelist") in page
    for hidden in ("visitrecord", "accessrecord", "consent", "legalhold", "disclosure", "group"):
        assert f"/{hidden}/" not in page, hidden


@pytest.mark.policy("9 다")
@pytest.mark.parametrize("role, allowed", [(AGENT, False), (HANDLER, True), (OFFICER, True)])
def test_only_handlers_may_export(client, login_as, member, role, allowed):
    log_in(login_as, role)
    response = client.post(reverse("admin:accounts_user_changelist"), export_form([member]))
    exported = response.get("Content-Type", "").startswith("text/csv")
    assert exported is allowed
    assert AccessRecord.objects.filter(action="export").exists() is allowed


@pytest.mark.policy("9 다")
def test_a_handler_cannot_change_roles_or_see_staff_accounts(client, login_as, make_staff, member):
    log_in(login_as, HANDLER)
    colleague = make_staff(username="colleague1", role=HANDLER)
    assert client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).status_code in (
        302,
        404,
    )
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    fields = {
        name
        for _title, options in page.context["adminform"].fieldsets
        for name in options["fields"]
    }
    assert not fields & {"is_staff", "is_superuser", "groups", "user_permissions", "password"}


@pytest.mark.policy("9 다")
@pytest.mark.parametrize("page", ["accessrecord", "privilegechange", "purgerun"])
def test_evidence_is_read_only_even_for_superusers(client, login_as, member, page):
    log_in(login_as, SUPERUSER)
    app = "retention" if page == "purgerun" else "staff"
    assert client.get(reverse(f"admin:{app}_{page}_add")).status_code == 403
    response = client.get(reverse(f"admin:{app}_{page}_changelist"))
    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()
