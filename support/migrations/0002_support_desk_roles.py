"""Support agents, privacy handlers and the privacy officer handle the support desk."""

from django.db import migrations

ROLES = ("support_agent", "privacy_handler", "privacy_officer")
# Frozen copy of staff.roles.SUPPORT_DESK as it was when the desk opened.
PERMISSIONS = (
    ("inquiry", "view_inquiry"),
    ("inquiry", "change_inquiry"),
    ("inquiry", "add_inquiry"),
    ("cannedreply", "view_cannedreply"),
    ("cannedreply", "add_cannedreply"),
    ("cannedreply", "change_cannedreply"),
)


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("support"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.using(alias).get(content_type__app_label="support", codename=codename)
        for _model, codename in PERMISSIONS
    ]
    for group in Group.objects.using(alias).filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="support", codename__in=[code for _model, code in PERMISSIONS]
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
        ("staff", "0001_initial"),
        ("accounts", "0007_reset_code_view_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
