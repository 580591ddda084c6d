"""The starting price table (editable in the admin): digital about 8 kr, paper about 25 kr."""

from django.db import migrations

MB = 1024 * 1024
PRICES = [
    ("digital", 1 * MB, 800),
    ("digital", 10 * MB, 1000),
    ("digital", 30 * MB, 1500),
    ("print", 1 * MB, 2500),
    ("print", 10 * MB, 3500),
    ("print", 30 * MB, 5000),
]


def seed(apps, schema_editor):
    Price = apps.get_model("postkasse", "Price")
    for channel, max_bytes, price_ore in PRICES:
        Price.objects.get_or_create(channel=channel, max_bytes=max_bytes, defaults={"price_ore": price_ore})


class Migration(migrations.Migration):
    dependencies = [("postkasse", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
