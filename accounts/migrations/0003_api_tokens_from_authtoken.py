"""Move DRF's plain-text tokens (rest_framework.authtoken, no longer installed)
into hashed ApiTokens and drop their table, so no key is left in the clear.

Clients keep their keys (``Authorization: Token <key>`` still works); each
moved token expires after API_TOKEN_LIFETIME_MONTHS like a new one.
"""

import hashlib

from django.conf import settings
from django.db import migrations

from core.calendar import add_months, local_datetime, today

OLD_TABLE = "authtoken_token"


def move_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires_at = local_datetime(add_months(today(), settings.API_TOKEN_LIFETIME_MONTHS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {OLD_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    for key, user_id in rows:
        ApiToken.objects.create(
            user_id=user_id,
            name="authtoken",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            prefix=key[:8],
            expires_at=expires_at,
        )
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    operations = [
        migrations.RunPython(move_tokens, migrations.RunPython.noop, elidable=True)
    ]
