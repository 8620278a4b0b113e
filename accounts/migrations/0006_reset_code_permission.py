"""Lets support agents, privacy handlers and the privacy officer issue password reset codes."""

from django.db import migrations

ROLES = ("support_agent", "privacy_handler", "privacy_officer")


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("accounts"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(alias).get(
        content_type__app_label="accounts", codename="issue_reset_code"
    )
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename="issue_reset_code").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_password_reset_codes")]

    operations = [migrations.RunPython(grant, revoke)]
