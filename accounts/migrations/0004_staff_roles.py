"""Creates the staff roles of staff.roles with exactly their permissions."""

from django.db import migrations

# Frozen copy: a migration must not change when the roles do later. One exception: the access
# and privilege-change records moved to the staff app, whose permissions a new database creates
# under "staff" (an older one had them moved there by staff.0001_initial).
ROLES = {
    "support_agent": (
        "accounts.view_user",
        "accounts.view_product",
        "accounts.add_product",
        "accounts.change_product",
        "privacy.view_notice",
        "privacy.add_notice",
        "privacy.change_notice",
        "accounts.view_staff_dashboard",
    ),
    "privacy_handler": (
        "accounts.view_user",
        "accounts.change_user",
        "accounts.export_member",
        "accounts.flag_member",
        "accounts.view_product",
        "accounts.view_visitrecord",
        "accounts.view_identityverification",
        "accounts.view_misuserecord",
        "privacy.view_consent",
        "privacy.view_notice",
        "privacy.view_privacyrequest",
        "accounts.view_staff_dashboard",
    ),
}
ROLES["privacy_officer"] = ROLES["privacy_handler"] + (
    "staff.view_accessrecord",
    "staff.view_privilegechange",
    "accounts.view_access_review",
    "privacy.add_privacyrequest",
    "privacy.change_privacyrequest",
    "privacy.view_disclosure",
    "privacy.add_disclosure",
    "privacy.change_disclosure",
    "privacy.view_correctionnotice",
    "privacy.change_correctionnotice",
    "privacy.view_policyversion",
    "retention.view_legalhold",
    "retention.add_legalhold",
    "retention.change_legalhold",
    "retention.view_purgerun",
)


def create_roles(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.using(schema_editor.connection.alias).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_side"),
        ("privacy", "0005_requests_and_disclosures"),
        ("retention", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
