"""Open311 keys are stored hashed and clients bound to communities.

Existing keys keep working: each is replaced by its SHA-256. Existing clients
could file anywhere, so they are bound to every community; staff narrow them.
"""

import hashlib

from django.db import migrations, models


def hash_keys(apps, schema_editor):
    Open311Client = apps.get_model("petitions", "Open311Client")
    Community = apps.get_model("grids", "Community")
    communities = list(Community.objects.values_list("pk", flat=True))
    for client in Open311Client.objects.all():
        client.key_hash = hashlib.sha256(client.api_key.encode()).hexdigest()
        client.prefix = client.api_key[:8]
        client.save(update_fields=["key_hash", "prefix"])
        client.communities.set(communities)


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0001_initial"),
        ("petitions", "0002_updated_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="open311client",
            name="key_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="key hash"
            ),
        ),
        migrations.AddField(
            model_name="open311client",
            name="prefix",
            field=models.CharField(
                default="", editable=False, max_length=8, verbose_name="key begins with"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="open311client",
            name="communities",
            field=models.ManyToManyField(
                blank=True,
                related_name="open311_clients",
                to="grids.community",
                verbose_name="communities it may file in",
            ),
        ),
        migrations.AddField(
            model_name="open311client",
            name="last_used_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last used at"
            ),
        ),
        migrations.RunPython(hash_keys, migrations.RunPython.noop, elidable=True),
    ]
