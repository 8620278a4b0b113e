"""Policy versions made through the real announcement service."""

from __future__ import annotations

import datetime

from privacy.models import PolicyVersion
from privacy.services import announce_policy_version

BODY_V2 = """# NEXCORE 고객지원 서비스 센터 개인정보처리방침

## 1. 수집하는 개인정보의 항목 {#s1}

필수항목 : 아이디, 비밀번호, 회사명, Project 명, 사용제품명

## 5. 개인정보의 보유 및 이용기간 {#s5}

방문에 관한 기록: 3개월
"""


def announce(
    label: str,
    *,
    effective_at: datetime.datetime,
    now: datetime.datetime,
    body: str = BODY_V2,
    material: bool = False,
    requires_consent: bool = False,
    summary: str = "",
) -> PolicyVersion:
    return announce_policy_version(
        version=PolicyVersion(
            label=label,
            title="NEXCORE 고객지원 서비스 센터 개인정보처리방침",
            body=body,
            summary=summary,
            material=material,
            requires_consent=requires_consent,
            effective_at=effective_at,
        ),
        now=now,
    )
