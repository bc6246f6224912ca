"""Read the statistics roll-ups from a PostgreSQL read replica.

With ``DATABASE_REPLICA_URL`` set there is a ``replica`` database. The roll-up
tables are what the statistics API and the dashboards read, and only the
scheduled rebuilds write them, so a replica a few seconds behind shows figures
a few seconds older; everything else (cases, people, sessions, fees, targets)
stays on the primary, where a page reads what it has just written. Reads made
inside a transaction go to the primary: the rebuild reads the rows it is about
to replace, and must read them there.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

#: Models whose reads outside a transaction go to the replica.
REPLICA_READ_MODELS = frozenset({"stats.PetitionMonthly", "stats.CommunityMonthly"})


class ReplicaRouter:
    """Send roll-up reads to the replica when one is configured."""

    def db_for_read(self, model, **hints):
        if (
            model._meta.label in REPLICA_READ_MODELS
            and settings.DATABASE_REPLICA_URL
            and REPLICA in settings.DATABASES
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both databases hold the same rows: a replica row may point at a
        # primary row.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication.
        return db != REPLICA
