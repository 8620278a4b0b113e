"""A member's consent of one kind to one version is recorded once.

Submissions that raced each other before this constraint may have left copies of the same
consent; the earliest of each stays, as it records when the member first agreed.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Min


def keep_the_earliest(apps, schema_editor):
    Consent = apps.get_model("privacy", "Consent")
    consents = Consent.objects.using(schema_editor.connection.alias)
    repeated = (
        consents.values("member_id", "policy_version_id", "kind")
        .annotate(copies=Count("pk"), first=Min("pk"))
        .filter(copies__gt=1)
    )
    for group in repeated:
        consents.filter(
            member_id=group["member_id"],
            policy_version_id=group["policy_version_id"],
            kind=group["kind"],
        ).exclude(pk=group["first"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0006_policy_reconsent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_the_earliest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.UniqueConstraint(
                fields=("member", "policy_version", "kind"), name="privacy_consent_once"
            ),
        ),
    ]
