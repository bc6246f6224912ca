"""Writing generated rows fast: ids allocated here, rows as plain tuples,
``COPY`` on PostgreSQL and ``executemany`` elsewhere (SQLite, for the tests and
the demo). No model ``save()``, no signals, no services: so no audit rows per
object, no outbox messages and no notifications."""

import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.management.color import no_style
from django.db import connection, models

from .clock import Clock

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Loader:
    """Allocate ids and write rows: ``COPY`` on PostgreSQL, ``executemany`` else.

    Rows are tuples in the order of ``fields`` (attribute names); datetimes are
    epoch seconds, dates are ``datetime.date``, JSON is a dict.
    """

    CHUNK = 50_000

    def __init__(self, clock: Clock):
        self.clock = clock
        self.is_postgresql = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.models: list[type[models.Model]] = []
        self._next: dict[type[models.Model], int] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        """Reserve ``count`` ids of ``model`` and return them."""
        if model not in self._next:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = top + 1
        start = self._next[model]
        self._next[model] = start + count
        return range(start, start + count)

    def id(self, model: type[models.Model]) -> int:
        return self.ids(model, 1)[0]

    def write(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        meta_fields = [model._meta.get_field(name) for name in fields]
        missing = {
            f.attname
            for f in model._meta.concrete_fields
            if not f.null
            and not f.primary_key
            and not f.generated
            and f.db_default is models.NOT_PROVIDED
        } - {f.attname for f in meta_fields}
        if missing:
            raise ValueError(f"{model.__name__}: no value for {sorted(missing)}")
        written = (
            self._copy(model, meta_fields, rows)
            if self.is_postgresql
            else self._insert(model, meta_fields, rows)
        )
        self.counts[model._meta.label] += written
        if model not in self.models:
            self.models.append(model)
        return written

    def _converter(self, model_field) -> Callable:
        text = self.clock.text

        def plain(value):
            return "\\N" if value is None else str(value)

        def string(value):
            return "\\N" if value is None else value.translate(_ESCAPE)

        def stamp(value):
            return "\\N" if value is None else text(value)

        def boolean(value):
            return "\\N" if value is None else ("t" if value else "f")

        def jsonb(value):
            if value is None:
                return "\\N"
            return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)

        if isinstance(model_field, models.DateTimeField):
            return stamp
        if isinstance(model_field, models.BooleanField):
            return boolean
        if isinstance(model_field, models.JSONField):
            return jsonb
        if isinstance(model_field, models.CharField | models.TextField):
            return string
        return plain

    def _copy(self, model, meta_fields, rows) -> int:
        converters = [self._converter(f) for f in meta_fields]
        sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in meta_fields),
        )
        written = 0
        lines: list[str] = []
        with connection.cursor() as cursor:
            for row in rows:
                lines.append(
                    "\t".join([c(v) for c, v in zip(converters, row, strict=True)])
                )
                if len(lines) >= self.CHUNK:
                    written += self._send(cursor, sql, lines)
            written += self._send(cursor, sql, lines)
        return written

    @staticmethod
    def _send(cursor, sql, lines) -> int:
        if not lines:
            return 0
        count = len(lines)
        buffer = io.StringIO("\n".join(lines) + "\n")
        lines.clear()
        cursor.copy_expert(sql, buffer)
        return count

    def _insert(self, model, meta_fields, rows) -> int:
        aware = self.clock.aware
        preps = []
        for model_field in meta_fields:
            if isinstance(model_field, models.DateTimeField):
                preps.append(
                    lambda v, f=model_field: f.get_db_prep_save(
                        None if v is None else aware(v), connection
                    )
                )
            else:
                preps.append(lambda v, f=model_field: f.get_db_prep_save(v, connection))
        # Table and column names come from the models, never from input.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in meta_fields),
            ", ".join(["%s"] * len(meta_fields)),
        )
        written = 0
        batch: list[list] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append([p(v) for p, v in zip(preps, row, strict=True)])
                if len(batch) >= 5_000:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


class DeferredIndexes:
    """On PostgreSQL, drop a table's secondary indexes and constraints (not its
    primary key or check constraints) for a bulk load and put them back after:
    one sort per index instead of a million index insertions."""

    def __init__(self, model):
        self.table = model._meta.db_table
        self.constraints: list[tuple[str, str]] = []
        self.indexes: list[str] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            # Dropping a foreign key touches the referenced tables, which must
            # have no deferred checks pending: run those now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') "
                "ORDER BY contype DESC, conname",
                [connection.ops.quote_name(self.table)],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) "
                "ORDER BY i.relname",
                [connection.ops.quote_name(self.table)],
            )
            indexes = cursor.fetchall()
            self.indexes = [definition for _name, definition in indexes]
            quoted = connection.ops.quote_name(self.table)
            for name, _definition in self.constraints:
                cursor.execute(
                    f"ALTER TABLE {quoted} DROP CONSTRAINT "
                    f"{connection.ops.quote_name(name)}"
                )
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls the drops back
        quoted = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            # Unique constraints first: foreign keys may point at them.
            for name, definition in sorted(
                self.constraints, key=lambda c: not c[1].startswith("UNIQUE")
            ):
                cursor.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} {definition}"
                )
        return False
