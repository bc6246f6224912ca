"""What the apps above add to a grid's field work, without this app importing
them.

Imports run one way (core → grids → petitions → deliberation, volunteers →
stats), so grids cannot call petitions or volunteers. Yet a patrol finding
becomes a case, a visit's need a case or a wish, a household's file shows its
cases, wishes and 双报到 registrations, and field photos go through the one
photo cleaning. Each app above declares what it adds in its own
``<app>/field.py``, as each declares its role permissions in
``<app>/permissions.py``:

- ``FOLLOW_UPS``: what a finding or a visit can become (``FollowUp``);
- ``HOUSEHOLD_SECTIONS``: what it keeps about a household (``HouseholdSection``);
- ``PHOTO_CLEANER``: the function that re-encodes an uploaded photo;
- ``RESIDENT_SECTIONS``: what a resident finds on 我的 under their verified
  phone (``ResidentSection``).

This module gathers them once, in the order of ``INSTALLED_APPS``.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.utils.functional import Promise
from django.utils.module_loading import module_has_submodule

#: The field records a follow-up can start from.
FINDING, VISIT = "finding", "visit"


@dataclass(frozen=True)
class Made:
    """A record a follow-up made, or a row of a household section, as the
    workbench lists it: what it is, its state, and where to open it."""

    label: str
    state: str = ""
    url: str = ""
    when: Any = None


@dataclass(frozen=True)
class FollowUp:
    """What a field record (``source``: a finding or a visit) can become.

    ``accessor`` is the reverse relation on the source that lists what was
    made (the made record points at its source). ``fields(source)`` returns
    the form fields the follow-up needs (with sensible initial values);
    ``create(actor=, source=, **cleaned)`` makes the record through the owning
    app's services and returns it; ``describe(record)`` says how to list it;
    ``may(user)`` whether the user may make one at all.
    """

    kind: str
    label: str | Promise
    source: str
    accessor: str
    fields: Callable[[Any, dict], dict]
    create: Callable[..., Any]
    describe: Callable[[Any], Made]
    may: Callable[[Any], bool]

    def made(self, source) -> list:
        """The records this follow-up made from ``source`` (prefetched or not)."""
        try:
            value = getattr(source, self.accessor)
        except ObjectDoesNotExist:
            return []
        if hasattr(value, "all"):
            return list(value.all())
        return [value] if value is not None else []


@dataclass(frozen=True)
class HouseholdSection:
    """What an app keeps about a household, as a titled list on its file.
    ``rows(user=, household=)`` reads it scoped to the user (one query)."""

    key: str
    title: str | Promise
    rows: Callable[..., list[Made]]
    may: Callable[[Any], bool]


@dataclass(frozen=True)
class ResidentSection:
    """What an app keeps under a resident's phone, as a titled list on 我的.
    ``rows(phone=)`` reads it (a bounded number of queries) and returns
    ``Made`` rows whose ``url`` the resident may open."""

    key: str
    title: str | Promise
    rows: Callable[..., list[Made]]


def _declared(name: str) -> list:
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "field"):
            module = import_module(f"{config.name}.field")
            value = getattr(module, name, None)
            if value is not None:
                found.append(value)
    return found


@functools.cache
def _follow_ups() -> tuple[FollowUp, ...]:
    return tuple(f for declared in _declared("FOLLOW_UPS") for f in declared)


def follow_ups(source: str) -> list[FollowUp]:
    """The follow-ups a ``source`` ("finding" or "visit") may have."""
    return [f for f in _follow_ups() if f.source == source]


def follow_up(source: str, kind: str) -> FollowUp | None:
    """The follow-up ``kind`` of a ``source``, or None."""
    return next((f for f in follow_ups(source) if f.kind == kind), None)


@functools.cache
def household_sections() -> tuple[HouseholdSection, ...]:
    """What the other apps keep about a household, in app order."""
    return tuple(s for declared in _declared("HOUSEHOLD_SECTIONS") for s in declared)


@functools.cache
def photo_cleaner() -> Callable:
    """The platform's photo cleaning (re-encoded, without metadata)."""
    cleaners = _declared("PHOTO_CLEANER")
    if not cleaners:
        raise ImproperlyConfigured("No installed app declares a PHOTO_CLEANER.")
    return cleaners[0]


@functools.cache
def resident_sections() -> tuple[ResidentSection, ...]:
    """What the apps keep under a resident's phone, in app order."""
    return tuple(s for declared in _declared("RESIDENT_SECTIONS") for s in declared)
