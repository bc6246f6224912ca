"""Generate a realistic district for benchmarks: ``manage.py generate_district``.

At the default size it writes one district of 10 subdistricts, 60 communities,
500 grids, about 700 compounds (some 三无, some staff housing under a
supervising unit), 15 property companies, the four tiers of party
organisations, 100,000 households with one registered resident each, staff and
their roles, party members, 1,000,000 resident reports over the last three
years, monthly deliberation meetings with decisions and action items, volunteer
activities with verified hours, micro-wishes and major matters, and the
grids' field work: household tags and care plans, a patrol a week in every
grid with its findings, and home visits of the households under care.

How it stays fast: every id is allocated here (``max(id) + 1`` onwards; the
command refuses a database that already has a district unless forced, so no
one else is writing), rows are built as plain tuples, and they are written in
one transaction by ``COPY`` on PostgreSQL and by ``executemany`` elsewhere
(SQLite, for the tests). No model ``save()``, no signals, no services: so no
audit rows per object, no outbox messages and no notifications. On PostgreSQL
the secondary indexes and foreign keys of the case table are dropped for the
load and rebuilt after it, which is several times faster than keeping them
up to date row by row; the sequences are reset at the end.

It drives the platform's rules rather than copies of them: a case's states
come from ``petitions.workflow.status_after``, its escalation level from
``overdue_level``, the auto-close period from ``PETITION_AUTO_CLOSE_DAYS``,
meeting days from ``deliberation.recurrence``, months and years from
``core.calendar``.

What it leaves out by default, to stay in a minute: the timeline of each case
(``PetitionEvent``; ``timelines=True`` writes it, as the demo does) and of
wishes and major matters, photos, login accounts, the members of bodies and
teams (many-to-many), proposals, owners' votes, two-way service lists and
emergency stations. Everything that roll-ups and list pages read is there.

The same ``seed`` and ``now`` give the same rows. Names of places and people
are made up from syllables; phone numbers are random.

The steps live by domain: ``territory``, ``people``, ``cases``,
``deliberation``, ``volunteers``, ``fees``, ``fieldwork``; ``clock`` and
``loader`` are the time and writing machinery they share, ``plan`` what they
hand on.
"""

# Generated data wants repeatable, not secure, randomness.
# ruff: noqa: S311

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record
from grids.models import District

from .cases import build_petitions, reference_data
from .clock import Clock
from .deliberation import build_deliberation
from .fees import build_fees
from .fieldwork import build_field
from .loader import Loader
from .people import build_party, build_people
from .plan import Build, GenerateRefused, Shape
from .territory import build_companies, build_compounds, build_district, build_territory
from .volunteers import build_volunteers

__all__ = ["GenerateRefused", "GenerateResult", "Shape", "generate_district"]


@dataclass
class GenerateResult:
    district_id: int
    first: datetime.date
    last: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _check(shape: Shape, force: bool) -> None:
    if not 0 < shape.scale <= 100:
        raise GenerateRefused(_("The scale must be above 0 and at most 100."))
    if shape.years < 1:
        raise GenerateRefused(_("Generate at least one year."))
    if not 1 <= shape.subdistricts <= shape.communities <= shape.grids:
        raise GenerateRefused(
            _(
                "Give at least one subdistrict, at least as many communities as "
                "subdistricts and at least as many grids as communities."
            )
        )
    if shape.companies < 1:
        raise GenerateRefused(_("Give at least one property company."))
    if not force and District.objects.exists():
        raise GenerateRefused(
            _(
                "The database already holds a district. Generated data is for an "
                "empty benchmark database; pass --force to add a district anyway."
            )
        )


def generate_district(
    *,
    scale: float = 1.0,
    years: int = 3,
    seed: int = 1,
    subdistricts: int = 10,
    communities: int = 60,
    grids: int = 500,
    companies: int = 15,
    now: datetime.datetime | None = None,
    force: bool = False,
    timelines: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> GenerateResult:
    """Write a generated district into the database and return what was written.

    Refuses (``GenerateRefused``) when a district exists unless ``force``: then a
    further district is added beside it, with names and codes of its own.
    """
    shape = Shape(
        subdistricts=subdistricts,
        communities=communities,
        grids=grids,
        companies=companies,
        scale=scale,
        years=years,
        seed=seed,
    )
    _check(shape, force)
    clock = Clock.years_back(now or timezone.now(), years)
    loader = Loader(clock)
    build = Build(shape, clock, loader, random.Random(seed), tag_rng=None)
    started = time.perf_counter()
    with transaction.atomic():
        seconds = _run(build, _steps(timelines), log)
        loader.reset_sequences()
        audit_record(
            actor=None,
            action="generate.district",
            target=District.objects.get(pk=build.district_id),
            changes={"seed": seed, "scale": scale, "years": years, **loader.counts},
        )
    if loader.is_postgresql:
        seconds["analyze"] = _analyze(loader)
    seconds["total"] = time.perf_counter() - started
    return GenerateResult(
        district_id=build.district_id,
        first=clock.first,
        last=clock.today,
        counts=dict(loader.counts),
        seconds=seconds,
    )


def _steps(timelines: bool) -> list:
    """The steps in order, each with the label the progress log shows."""
    return [
        (_("district"), build_district),
        (_("territory"), build_territory),
        (_("property companies"), build_companies),
        (_("compounds and households"), build_compounds),
        (_("party organisations"), build_party),
        (_("people and roles"), build_people),
        (_("categories"), reference_data),
        (_("cases"), lambda build: build_petitions(build, timelines=timelines)),
        (_("deliberation"), build_deliberation),
        (_("volunteers"), build_volunteers),
        (_("fee collection"), build_fees),
        (_("field work"), build_field),
    ]


def _run(build: Build, steps: list, log: Callable[[str], None]) -> dict:
    """Run the steps; return the seconds each took."""
    seconds = {}
    for label, step in steps:
        began = time.perf_counter()
        step(build)
        seconds[label] = time.perf_counter() - began
        log(_("%(step)s: %(seconds).1f s") % {"step": label, "seconds": seconds[label]})
    return seconds


def _analyze(loader: Loader) -> float:
    """Fresh planner statistics for every table written; return the seconds."""
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for model in loader.models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return time.perf_counter() - began
