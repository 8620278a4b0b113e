from django.db import migrations

STARTER_PRODUCTS = [
    ("NEXCORE Framework", "nexcore-framework"),
    ("NEXCORE Online", "nexcore-online"),
    ("NEXCORE Batch", "nexcore-batch"),
    ("NEXCORE Monitoring", "nexcore-monitoring"),
    ("NEXCORE ALM", "nexcore-alm"),
]


def seed_products(apps, schema_editor):
    Product = apps.get_model("accounts", "Product")
    for ordering, (name, slug) in enumerate(STARTER_PRODUCTS, start=1):
        Product.objects.get_or_create(slug=slug, defaults={"name": name, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_products, migrations.RunPython.noop)]
