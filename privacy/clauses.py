"""Where the code keeps each promise of the policy in force, for the compliance report.

Each clause of ``privacy/texts/1.0.md`` ("1 가", or the section number for a section without
clauses) maps to the functions (and the few classes) that implement it, as dotted names read
by the report, never imported here: the names may belong to apps above this one. The rules that
come from the law rather than the 2013 text are listed under ``LAW_ARTICLES`` with the article
cited in the tests' ``law`` markers. ``tests/privacy/test_clauses.py`` checks that every name
exists and that every clause is listed.
"""

from __future__ import annotations

IMPLEMENTED_BY: dict[str, tuple[str, ...]] = {
    "1 가": (
        "accounts.forms.SignupForm",
        "accounts.services.register_member",
        "accounts.services.record_visit",
        "accounts.services.record_lockout",
    ),
    "1 나": ("accounts.views.signup", "accounts.middleware.VisitRecordMiddleware"),
    "2 가": (
        "accounts.services.register_member",
        "accounts.services.record_identity_verification",
        "support.services.open_inquiry",
    ),
    "2 나": ("staff.selectors.dashboard.dashboard",),
    "3": ("privacy.services.record_disclosure", "privacy.selectors.member_disclosures"),
    "4": (),
    "5 가": ("retention.registry.due_date", "retention.services.purge.purge_expired"),
    "5 나": (
        "retention.registry.due_date",
        "retention.registry.purge_cutoff",
        "retention.selectors.category_report",
        "retention.services.holds.place_hold",
    ),
    "6 가": ("retention.services.archiving.archive_closed_accounts",),
    "6 나": (
        "retention.services.erasure.keep_only",
        "retention.services.erasure.make_unrecoverable",
        "retention.services.files.sweep",
        "retention.services.purge.purge_expired",
    ),
    "7": (
        "accounts.selectors.member_data",
        "accounts.services.change_profile",
        "accounts.services.close_account",
        "privacy.services.record_request",
        "privacy.services.note_correction",
    ),
    "8 가": ("privacy.views.cookies",),
    "8 나": ("privacy.views.cookies", "privacy.templatetags.privacy.cookie_lifetime"),
    "9 가": ("accounts.hashers.Argon2PasswordHasher", "accounts.hashers.check_cost"),
    "9 나": (
        "accounts.views.LoginView",
        "core.logs.RedactAddresses",
        "staff.services.access_control.admin_reachable_from",
        "staff.services.two_factor.confirm_device",
    ),
    "9 다": (
        "staff.services.roles.sync_roles",
        "staff.services.passwords.password_set",
        "staff.selectors.passwords.password_expired",
        "staff.services.audit.record_member_access",
    ),
    "9 라": ("staff.selectors.review.access_review", "staff.services.review.sign_off_review"),
    "10": ("accounts.views.recover",),
    "11": (),
    "12": (
        "privacy.services.announce_policy_version",
        "privacy.services.earliest_effective_at",
        "privacy.selectors.policy_in_force",
    ),
}

# The articles the ``law`` markers cite: PIPA (개인정보 보호법), its enforcement decree (시행령) and
# the safety standard (개인정보의 안전성 확보조치 기준 고시).
LAW_ARTICLES: dict[str, str] = {
    # Web accessibility: every page readable with a screen reader and a keyboard.
    "장애인차별금지법 제21조": (
        "장애인차별금지 및 권리구제 등에 관한 법률 제21조 "
        "(정보통신·의사소통 등에서의 정당한 편의제공의무)"
    ),
    # The policy is posted where anyone can read it, and its link stands out from the others.
    "PIPA §30": "개인정보 보호법 제30조 (개인정보 처리방침의 수립 및 공개)",
    "PIPA §34": "개인정보 보호법 제34조 (개인정보 유출 등의 통지·신고)",
    "PIPA §38": "개인정보 보호법 제38조 (권리행사의 방법 및 절차)",
    "시행령 §39": "개인정보 보호법 시행령 제39조 (개인정보 유출 등의 신고)",
    "시행령 §40": "개인정보 보호법 시행령 제40조 (개인정보 유출 등의 통지)",
    "시행령 §41": "개인정보 보호법 시행령 제41조 (개인정보의 열람절차 등)",
    "시행령 §42": "개인정보 보호법 시행령 제42조 (개인정보 열람의 제한·연기 및 거절)",
    "고시 제5조": "개인정보의 안전성 확보조치 기준 제5조 (접근 권한의 관리)",
    "고시 제6조": "개인정보의 안전성 확보조치 기준 제6조 (접근통제)",
    "고시 제8조": "개인정보의 안전성 확보조치 기준 제8조 (접속기록의 보관 및 점검)",
}
