"""What the accessibility audit's portal holds, made inside the portal's own environment
(``manage.py shell``) through the services the site itself uses.

``make()`` prints, as JSON, the ids the audited pages need and the staff's TOTP keys.
"""

from __future__ import annotations

import datetime
import json

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as accounts_services
from accounts.models import Product, User
from privacy.models import Notice, PolicyVersion
from privacy.selectors import policy_in_force
from privacy.services import announce_policy_version
from selfservice.models import Article, Release
from selfservice.services.releases import add_release_file
from staff.roles import PRIVACY_OFFICER, SUPPORT_AGENT
from support import services as support_services

MEMBER = "kim.minji"
# The people who log in to the admin, by what they do there. The newcomer has no second factor
# yet, so the admin sends them to enrol one; the returning agent stops at entering its code.
STAFF = {
    "officer": "officer01",
    "agent": "agent01",
    "operator": "ops01",
    "newcomer": "agent02",
    "returning": "agent03",
}


def _staff(username: str, *, role: str, password: str) -> User:
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def make(*, password: str, staff_password: str) -> None:
    product = Product.objects.get_or_create(
        slug="nexcore-framework", defaults={"name": "NEXCORE Framework"}
    )[0]
    member = accounts_services.register_member(
        username=MEMBER,
        password=password,
        company="한빛소프트 주식회사",
        project="차세대 통합 고객관리 시스템",
        product=product,
        ip="10.0.0.1",
    )
    now = timezone.now()
    first = policy_in_force()
    # An announced change shows its banner on the pages a member starts from, and its diff.
    announce_policy_version(
        version=PolicyVersion(
            label="2.0",
            title=first.title,
            body=first.body.replace("| 부정 이용 방지 | 1년 |", "| 부정 이용 방지 | 2년 |"),
            summary="부정 이용 방지 기록의 보유 기간을 1년에서 2년으로 바꿉니다.",
            effective_at=now + datetime.timedelta(days=30),
        ),
        now=now,
    )
    staff = {
        "officer": _staff(STAFF["officer"], role=PRIVACY_OFFICER, password=staff_password),
        "agent": _staff(STAFF["agent"], role=SUPPORT_AGENT, password=staff_password),
        "operator": User.objects.create_superuser(
            username=STAFF["operator"], password=staff_password
        ),
        "newcomer": _staff(STAFF["newcomer"], role=SUPPORT_AGENT, password=staff_password),
        "returning": _staff(STAFF["returning"], role=SUPPORT_AGENT, password=staff_password),
    }
    devices = {
        persona: TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        for persona, user in staff.items()
        if persona != "newcomer"
    }
    inquiry = support_services.open_inquiry(
        member=member,
        product=product,
        category="defect",
        title="업그레이드 후 야간 배치가 멈춥니다",
        body="3.2.0으로 올린 뒤 자정 배치가 멈춥니다.\n로그를 확인해 주세요.",
    )
    support_services.staff_reply(
        inquiry=inquiry, staff=staff["agent"], body="3.2.1 패치를 적용해 주세요."
    )
    release = Release.objects.create(
        product=product,
        version="3.2.1",
        published=True,
        audience=Release.Audience.PRODUCT_USERS,
        notes="## 수정 사항\n\n- 야간 배치가 멈추지 않습니다.",
    )
    add_release_file(release=release, upload=ContentFile(b"PK\x03\x04" * 256, name="patch.zip"))
    # Only for members of a covered project: this member is refused it (the 403 page).
    Release.objects.create(
        product=product, version="3.3.0", published=True, audience=Release.Audience.COVERED
    )
    article = Article.objects.create(
        title="야간 배치가 멈출 때",
        slug="야간-배치가-멈출-때",
        body="## 증상\n\n자정 배치가 멈춥니다.\n\n## 해결\n\n배치 서버를 재시작하세요.",
        published=True,
    )
    print(
        json.dumps(
            {
                "ids": {
                    "member": member.pk,
                    "inquiry": inquiry.number,
                    "inquiry_pk": inquiry.pk,
                    "notice": Notice.objects.latest("published_at").pk,
                    "article": article.slug,
                    "product": product.slug,
                    "group": Group.objects.get(name=SUPPORT_AGENT).pk,
                },
                "devices": {
                    persona: {
                        "key": device.key,
                        "step": device.step,
                        "t0": device.t0,
                        "digits": device.digits,
                    }
                    for persona, device in devices.items()
                },
            }
        )
    )
