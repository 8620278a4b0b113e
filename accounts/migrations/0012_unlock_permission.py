"""A permission to end a member's login lockout (django-axes); the roles that hold it are
granted it by the role sync after migrate (staff.services.roles)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_misuse_admin_outside_network")]

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
    ]
