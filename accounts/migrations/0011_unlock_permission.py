"""Lets privacy handlers and the privacy officer end a member's login lockout (django-axes)."""

from django.db import migrations

# Frozen copy of the roles of staff.roles that hold accounts.unlock_member.
ROLES = ("privacy_handler", "privacy_officer")


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("accounts"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(alias).get(
        content_type__app_label="accounts", codename="unlock_member"
    )
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename="unlock_member").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_visit_days")]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "permissions": [
                    ("export_member", "Can export member data"),
                    ("flag_member", "Can flag members for misuse and suspend them"),
                    ("view_access_review", "Can view the monthly access review"),
                    ("view_staff_dashboard", "Can view the staff dashboard"),
                    ("issue_reset_code", "Can verify a caller and issue a password reset code"),
                    ("unlock_member", "Can unlock a member locked out after failed logins"),
                ],
                "verbose_name": "member",
                "verbose_name_plural": "members",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
