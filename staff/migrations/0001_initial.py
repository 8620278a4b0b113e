"""The staff's records, taken over from ``accounts`` with their tables, rows and permissions.

The tables keep their names, so no row moves. The content types move with the models, so the
permissions the roles hold (``view_accessrecord`` …) and the admin log keep pointing at them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("accessrecord", "privilegechange", "staffcredential")


def move_content_types(apps, schema_editor, source="accounts", target="staff"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        old = content_types.filter(app_label=source, model=model).first()
        if old is None:
            continue
        # A migration that creates every app's permissions early may have made an empty twin.
        content_types.filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="staff", target="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0008_staff_models_to_staff"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PrivilegeChange",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("time", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                        ("changed_by_username", models.CharField(blank=True, max_length=150, verbose_name="changed by (ID)")),
                        ("group_name", models.CharField(blank=True, help_text="Set when a role's own permissions changed.", max_length=150, verbose_name="role")),
                        ("change", models.CharField(max_length=255, verbose_name="change")),
                        ("changed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="changed by")),
                        ("subject", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="account")),
                    ],
                    options={
                        "verbose_name": "privilege change",
                        "verbose_name_plural": "privilege changes",
                        "db_table": "accounts_privilegechange",
                        "ordering": ["-time", "-id"],
                        "abstract": False,
                    },
                ),
                migrations.CreateModel(
                    name="StaffCredential",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("password_changed_at", models.DateTimeField(blank=True, null=True, verbose_name="password changed at")),
                        ("previous_hashes", models.JSONField(blank=True, default=list, verbose_name="previous password hashes")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="staff_credential", to=settings.AUTH_USER_MODEL, verbose_name="staff member")),
                    ],
                    options={
                        "verbose_name": "staff credential",
                        "verbose_name_plural": "staff credentials",
                        "db_table": "accounts_staffcredential",
                    },
                ),
                migrations.CreateModel(
                    name="AccessRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("time", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                        ("staff_username", models.CharField(max_length=150, verbose_name="staff ID")),
                        ("action", models.CharField(choices=[("view", "Viewed a member's page"), ("list", "Listed members"), ("add", "Added"), ("change", "Changed"), ("delete", "Deleted"), ("export", "Exported"), ("admin_action", "Admin action"), ("flag", "Flagged for misuse"), ("suspend", "Suspended"), ("lift", "Lifted a suspension"), ("verify", "Verified a caller"), ("reset_code", "Issued a password reset code")], max_length=20, verbose_name="action")),
                        ("target", models.CharField(blank=True, max_length=100, verbose_name="what")),
                        ("detail", models.CharField(blank=True, max_length=255, verbose_name="detail")),
                        ("member", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="member")),
                        ("staff", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="staff member")),
                    ],
                    options={
                        "verbose_name": "access record",
                        "verbose_name_plural": "access records",
                        "db_table": "accounts_accessrecord",
                        "ordering": ["-time", "-id"],
                        "abstract": False,
                        "indexes": [models.Index(fields=["staff_username", "time"], name="accounts_ac_staff_u_dd6a19_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
