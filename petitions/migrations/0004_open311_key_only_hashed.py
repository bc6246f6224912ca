"""The plain Open311 keys go; only their hashes stay (see 0003). A migration of
its own so that PostgreSQL alters the table after 0003's rows are committed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_open311_key_hash")]

    operations = [
        migrations.RemoveField(model_name="open311client", name="api_key"),
        migrations.AlterField(
            model_name="open311client",
            name="key_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="key hash"
            ),
        ),
    ]
