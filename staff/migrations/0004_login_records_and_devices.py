"""django-axes' login records and django-otp's devices as proxies, under names staff read.

No table changes; each proxy has its own permissions, which superusers hold and no role needs.
"""

from django.db import migrations

PROXY = {"proxy": True, "indexes": [], "constraints": []}


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("staff", "0003_unlock_action"),
    ]

    operations = [
        migrations.CreateModel(
            name="FailedLogin",
            fields=[],
            options={
                "verbose_name": "failed login",
                "verbose_name_plural": "failed logins",
                **PROXY,
            },
            bases=("axes.accessfailurelog",),
        ),
        migrations.CreateModel(
            name="FailedLoginCounter",
            fields=[],
            options={
                "verbose_name": "failed-login counter",
                "verbose_name_plural": "failed-login counters",
                **PROXY,
            },
            bases=("axes.accessattempt",),
        ),
        migrations.CreateModel(
            name="LoginLog",
            fields=[],
            options={
                "verbose_name": "login log",
                "verbose_name_plural": "login logs",
                **PROXY,
            },
            bases=("axes.accesslog",),
        ),
        migrations.CreateModel(
            name="SecondFactorDevice",
            fields=[],
            options={
                "verbose_name": "second-factor device",
                "verbose_name_plural": "second-factor devices",
                **PROXY,
            },
            bases=("otp_totp.totpdevice",),
        ),
    ]
