"""The contract manager role, and self-service content for the roles that talk to members."""

from django.db import migrations

# Frozen copy of staff.roles as it was when self-service opened.
SELF_SERVICE = (
    "view_release",
    "add_release",
    "change_release",
    "view_releasefile",
    "add_releasefile",
    "delete_releasefile",
    "view_download",
    "view_article",
    "add_article",
    "change_article",
    "delete_article",
    "view_contract",
    "view_tier",
)
CONTRACTS = (
    "view_contract",
    "add_contract",
    "change_contract",
    "view_contractchange",
    "view_coverage",
    "view_payment",
    "add_payment",
    "change_payment",
    "view_tier",
    "add_tier",
    "change_tier",
)
GRANTS = {
    "support_agent": SELF_SERVICE,
    "privacy_handler": SELF_SERVICE,
    "privacy_officer": tuple(dict.fromkeys(SELF_SERVICE + CONTRACTS)),
    "contract_manager": CONTRACTS,
}


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("selfservice"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _created = Group.objects.using(alias).get_or_create(name="contract_manager")
    manager.permissions.add(
        Permission.objects.using(alias).get(
            content_type__app_label="accounts", codename="view_staff_dashboard"
        )
    )
    for name, codenames in GRANTS.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.using(alias).filter(
                content_type__app_label="selfservice", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name="contract_manager").delete()
    permissions = Permission.objects.filter(content_type__app_label="selfservice")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0001_initial"),
        ("support", "0003_queue_by_activity"),
        ("accounts", "0007_reset_code_view_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
