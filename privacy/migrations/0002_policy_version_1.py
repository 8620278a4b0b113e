import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import migrations

TEXT = Path(__file__).resolve().parent.parent / "texts" / "1.0.md"
# 공고일자 and 시행일자 of the 2013 text: announced and in force on 21 October 2013, Seoul time.
ANNOUNCED = datetime.datetime(2013, 10, 21, tzinfo=ZoneInfo("Asia/Seoul"))


def load_version_1(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        label="1.0",
        defaults={
            "title": "NEXCORE 고객지원 서비스 센터 개인정보처리방침",
            "body": TEXT.read_text(encoding="utf-8"),
            "announced_at": ANNOUNCED,
            "effective_at": ANNOUNCED,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(load_version_1, migrations.RunPython.noop)]
