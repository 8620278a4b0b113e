"""고시 제8조: the reason of a download on its access record, and the officer's monthly sign-off.

The privacy officer's group gets the permission to sign off, as ``staff.roles`` now says.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Frozen copy of what staff.roles added to the officer with the sign-off.
OFFICER = "privacy_officer"
SIGN_OFF = "add_accessreviewsignoff"


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("staff"), verbosity=0, using=alias)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(alias).filter(name=OFFICER).first()
    if group is not None:
        group.permissions.add(
            Permission.objects.using(alias).get(content_type__app_label="staff", codename=SIGN_OFF)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=OFFICER):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="staff", codename=SIGN_OFF)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='accessrecord',
            name='reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='reason'),
        ),
        migrations.CreateModel(
            name='AccessReviewSignOff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('signed_by_username', models.CharField(max_length=150, verbose_name='signed off by (ID)')),
                ('signed_at', models.DateTimeField(verbose_name='signed off at')),
                ('remarks', models.TextField(blank=True, max_length=2000, verbose_name='remarks')),
                ('signed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed off by')),
            ],
            options={
                'verbose_name': 'access review sign-off',
                'verbose_name_plural': 'access review sign-offs',
                'ordering': ['-month'],
                'constraints': [models.UniqueConstraint(fields=('month',), name='staff_one_sign_off_per_month')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
