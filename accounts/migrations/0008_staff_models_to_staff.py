"""The staff's records move to the ``staff`` app: only the code moves, every table stays.

``staff.0001_initial`` takes the three models over under their old table names; the member
records drop their unused reverse accessors (no change in the database).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_reset_code_view_permission"),
    ]

    operations = [
        migrations.AlterField(
            model_name="identityverification",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="member",
            ),
        ),
        migrations.AlterField(
            model_name="misuserecord",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="member",
            ),
        ),
        migrations.AlterField(
            model_name="visitrecord",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="member",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AccessRecord"),
                migrations.DeleteModel(name="PrivilegeChange"),
                migrations.DeleteModel(name="StaffCredential"),
            ],
            database_operations=[],
        ),
    ]
