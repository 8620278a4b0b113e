"""The staff roles of policy §9 다/라 and exactly what each may do (least privilege).

``ROLES`` is the single source (안전성 확보조치 기준 제5조): every ``migrate`` and the
``sync_roles`` command bring the database's groups to exactly it (``staff.services.roles``),
and the permission-matrix test reads it. Superusers are for operations only; they do not handle
members' data in the ordinary course of work. Groups are named by code;
``ROLE_NAMES`` is what staff read, and ``LANDING_PAGES`` where each role starts after logging in.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PRIVACY_HANDLER = "privacy_handler"
SUPPORT_AGENT = "support_agent"
PRIVACY_OFFICER = "privacy_officer"
CONTRACT_MANAGER = "contract_manager"

# Both roles that talk to members handle the support desk: the queue, answers and notes,
# inquiries received by phone or letter, and the canned replies.
SUPPORT_DESK = (
    "support.view_inquiry",
    "support.change_inquiry",
    "support.add_inquiry",
    "support.view_cannedreply",
    "support.add_cannedreply",
    "support.change_cannedreply",
)

# Both roles also keep the self-service content members read: releases with their files and the
# knowledge base; they see which contract covers whom (its tier sets their targets) and who
# downloaded a release (a list of members, access-recorded).
SELF_SERVICE = (
    "selfservice.view_release",
    "selfservice.add_release",
    "selfservice.change_release",
    "selfservice.view_releasefile",
    "selfservice.add_releasefile",
    "selfservice.delete_releasefile",
    "selfservice.view_download",
    "selfservice.view_article",
    "selfservice.add_article",
    "selfservice.change_article",
    "selfservice.delete_article",
    "selfservice.view_contract",
    "selfservice.view_tier",
)

# Support contracts and their payments, the tiers, and who each contract covers.
CONTRACTS = (
    "selfservice.view_contract",
    "selfservice.add_contract",
    "selfservice.change_contract",
    "selfservice.view_contractchange",
    "selfservice.view_coverage",
    "selfservice.view_payment",
    "selfservice.add_payment",
    "selfservice.change_payment",
    "selfservice.view_tier",
    "selfservice.add_tier",
    "selfservice.change_tier",
)

# A support agent serves customers: the product catalog and notices, and a member's company,
# project and product (read only), never their records and never an export.
_SUPPORT = (
    "accounts.view_user",
    "accounts.view_product",
    "accounts.add_product",
    "accounts.change_product",
    "privacy.view_notice",
    "privacy.add_notice",
    "privacy.change_notice",
    "accounts.view_staff_dashboard",
    "accounts.issue_reset_code",
    *SUPPORT_DESK,
    *SELF_SERVICE,
)

# A privacy handler (개인정보취급자) works with full member data and its records.
_HANDLER = (
    "accounts.view_user",
    "accounts.change_user",
    "accounts.export_member",
    "accounts.flag_member",
    "accounts.unlock_member",
    "accounts.view_product",
    "accounts.view_visitrecord",
    "accounts.view_identityverification",
    "accounts.view_passwordresetcode",
    "accounts.view_misuserecord",
    "privacy.view_consent",
    "privacy.view_notice",
    "privacy.view_privacyrequest",
    "accounts.view_staff_dashboard",
    "accounts.issue_reset_code",
    *SUPPORT_DESK,
    *SELF_SERVICE,
)

# The privacy officer (개인정보 보호책임자) checks compliance: the handler's work plus the
# access review, requests, disclosures and legal holds.
_OFFICER = _HANDLER + (
    "staff.view_accessrecord",
    "staff.view_privilegechange",
    "accounts.view_access_review",
    "staff.add_accessreviewsignoff",
    "privacy.add_privacyrequest",
    "privacy.change_privacyrequest",
    "privacy.view_disclosure",
    "privacy.add_disclosure",
    "privacy.change_disclosure",
    "privacy.view_correctionnotice",
    "privacy.change_correctionnotice",
    "privacy.view_policyversion",
    "retention.view_legalhold",
    "retention.add_legalhold",
    "retention.change_legalhold",
    "retention.view_purgerun",
    # The live compliance page (/admin/staff/compliance/) and what it links to.
    "compliance.view_compliance_status",
    # Breach response (PIPA §34): the incident register and who each incident affects.
    "incidents.view_incident",
    "incidents.add_incident",
    "incidents.change_incident",
    "incidents.view_affectedmember",
    *(code for code in CONTRACTS if code not in SELF_SERVICE),
)

# A contract manager keeps the support contracts (policy §5 계약·대금결제 기록), links members
# to them and sees the staff dashboard; nothing else of members' data.
_CONTRACT_MANAGER = (*CONTRACTS, "accounts.view_staff_dashboard")

ROLES: dict[str, tuple[str, ...]] = {
    SUPPORT_AGENT: _SUPPORT,
    PRIVACY_HANDLER: _HANDLER,
    PRIVACY_OFFICER: _OFFICER,
    CONTRACT_MANAGER: _CONTRACT_MANAGER,
}

ROLE_NAMES = {
    SUPPORT_AGENT: _("Support agent"),
    PRIVACY_HANDLER: _("Privacy handler"),
    PRIVACY_OFFICER: _("Privacy officer"),
    CONTRACT_MANAGER: _("Contract manager"),
}

# The page each role opens most: an agent works the queue, a handler looks members up, the
# officer watches the figures, a contract manager keeps the contracts. URL names, not imports:
# the support queue and the contracts belong to apps above this one.
LANDING_PAGES = {
    SUPPORT_AGENT: "admin:support_inquiry_changelist",
    PRIVACY_HANDLER: "admin:accounts_user_changelist",
    PRIVACY_OFFICER: "staff_dashboard",
    CONTRACT_MANAGER: "admin:selfservice_contract_changelist",
}


def role_label(name: str) -> str:
    """A group as staff read it, "개인정보취급자 (privacy_handler)"; other groups by their name."""
    if name not in ROLE_NAMES:
        return name
    return gettext("%(role)s (%(code)s)") % {"role": ROLE_NAMES[name], "code": name}
