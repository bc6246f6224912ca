"""Storages named in settings.STORAGES that models refer to."""

from django.core.files.storage import storages


def private_storage():
    """Return the storage of uploads that are never public (``STORAGES["private"]``).

    A callable, so that the storage is looked up when used (tests swap it) and
    migrations name the function, not a path of the machine.
    """
    return storages["private"]
