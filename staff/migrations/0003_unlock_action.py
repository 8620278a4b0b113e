"""Access records of a staff member ending a member's login lockout."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_access_review_signoff")]

    operations = [
        migrations.AlterField(
            model_name="accessrecord",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed a member's page"),
                    ("list", "Listed members"),
                    ("add", "Added"),
                    ("change", "Changed"),
                    ("delete", "Deleted"),
                    ("export", "Exported"),
                    ("admin_action", "Admin action"),
                    ("flag", "Flagged for misuse"),
                    ("suspend", "Suspended"),
                    ("lift", "Lifted a suspension"),
                    ("verify", "Verified a caller"),
                    ("reset_code", "Issued a password reset code"),
                    ("unlock", "Ended a login lockout"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
    ]
