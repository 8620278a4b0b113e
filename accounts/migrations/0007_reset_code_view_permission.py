"""Lets privacy handlers and the privacy officer see which codes were issued, by whom, and used."""

from django.db import migrations

ROLES = ("privacy_handler", "privacy_officer")


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("accounts"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(alias).get(
        content_type__app_label="accounts", codename="view_passwordresetcode"
    )
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename="view_passwordresetcode"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name__in=ROLES):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_reset_code_permission")]

    operations = [migrations.RunPython(grant, revoke)]
