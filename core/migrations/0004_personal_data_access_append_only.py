"""The database itself refuses to change the record of personal data access.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL,
where TRUNCATE (used only to empty a throw-away test database) does not fire
row triggers; SQLite empties tables with DELETE, so there the model and the
admin refuse deletions instead.
"""

from django.db import migrations

TABLE = "core_personaldataaccess"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION core_personaldataaccess_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'core_personaldataaccess is append-only';
END $$;
CREATE TRIGGER core_personaldataaccess_no_change
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION core_personaldataaccess_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS core_personaldataaccess_no_change ON {TABLE};
DROP FUNCTION IF EXISTS core_personaldataaccess_append_only();
"""
SQLITE_UP = f"""
CREATE TRIGGER core_personaldataaccess_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'core_personaldataaccess is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_personaldataaccess_no_update;"


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
    if sql:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_UP, SQLITE_UP)


def backwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_personal_data_access")]

    operations = [migrations.RunPython(forwards, backwards)]
