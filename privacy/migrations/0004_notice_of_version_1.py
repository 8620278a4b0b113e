from django.db import migrations


def publish_notice_of_version_1(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    Notice = apps.get_model("privacy", "Notice")
    version = PolicyVersion.objects.filter(label="1.0").first()
    if version is None or Notice.objects.filter(policy_version=version).exists():
        return
    Notice.objects.create(
        title="개인정보처리방침 시행 안내 (버전 1.0)",
        body=(
            "NEXCORE 고객지원 서비스 센터 개인정보처리방침이 2013년 10월 21일부터 시행됩니다.\n\n"
            "[개인정보처리방침 보기](/privacy/v/1.0/)"
        ),
        published_at=version.announced_at,
        policy_version=version,
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_policy_versions_and_notices")]

    operations = [migrations.RunPython(publish_notice_of_version_1, migrations.RunPython.noop)]
