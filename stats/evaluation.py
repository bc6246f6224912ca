"""The evaluation of property companies (监督评价, seed 001): its indicators,
their weights, and how a quarter's figures become one score with a breakdown.

The platform's own indicators come from the records of the quarter: the cases
of the compounds a company serves, their households, the fee collection
entered for them, and the meetings' action items owned by the company's
staff. District staff add assessment items of their own (admin-defined, with
weights and evidence). A score is the weighted mean of the indicators that
have data, on a scale of 0 to 100; below ``MIN_CASES_TO_SCORE`` cases in the
quarter no score is given (too few cases say nothing about a company).

Nothing here writes: ``stats.services.evaluation_rebuild`` stores the rows.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from core import calendar
from deliberation.models import ActionItem
from grids.models import Household
from petitions.models import Category, Petition

from .models import AssessmentScore, FeeCollection

#: A unit needs at least this many cases in the quarter to be scored (the
#: same floor as the closure-rate ranking's ``MIN_CASES_TO_RANK``).
MIN_CASES_TO_SCORE = 10

#: Complaints per 1,000 households in a quarter at which that indicator
#: scores 0 (it scores 100 at none, falling evenly).
COMPLAINTS_AT_ZERO = 20


@dataclass(frozen=True)
class Indicator:
    """A platform indicator: its weight and how its figures make a score."""

    key: str
    label: str
    weight: int


#: The platform's indicators and weights (points out of 100 when every one
#: has data). Why these weights: the README's "Evaluation" section.
INDICATORS = (
    Indicator("closed_on_time", _("Cases closed on time"), 25),
    Indicator("satisfaction", _("Residents' satisfaction"), 25),
    Indicator("complaints", _("Complaints per 1,000 households"), 15),
    Indicator("reopen", _("Cases reopened"), 10),
    Indicator("fee_collection", _("Fee collection (households)"), 10),
    Indicator("action_items", _("Meeting action items done on time"), 15),
)
INDICATOR_LABELS = {i.key: i.label for i in INDICATORS}

#: The additive figures gathered per company and compound.
FIGURES = (
    "received",
    "closed",
    "closed_on_time",
    "rated",
    "satisfied",
    "reopened",
    "complaints",
    "households",
    "fee_billed",
    "fee_paid",
    "items_due",
    "items_on_time",
)

#: (company, district, community, compound or None): the smallest unit.
Key = tuple[int, int, int, int | None]


def _add(atoms: dict, key: Key, row: dict, names: dict) -> None:
    target = atoms.setdefault(key, dict.fromkeys(FIGURES, 0))
    for figure, column in names.items():
        target[figure] += row[column] or 0


_COMPOUND = (
    "compound__property_company_id",
    "compound__community__subdistrict__district_id",
)


def _key(row: dict, company: str, district: str, community: str, compound) -> Key:
    return (
        row[company],
        row[district],
        row[community],
        row[compound] if compound else None,
    )


def _case_atoms(atoms: dict, start, end) -> None:
    closed = Q(status=Petition.Status.CLOSED)
    rows = (
        Petition.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            compound__property_company__isnull=False,
        )
        .values(*_COMPOUND, "compound__community_id", "compound_id")
        .annotate(
            received=Count("id"),
            closed=Count("id", filter=closed),
            closed_on_time=Count(
                "id", filter=closed & Q(resolved_at__lte=F("resolve_due_at"))
            ),
            rated=Count("id", filter=~Q(rating="")),
            satisfied=Count(
                "id",
                filter=Q(
                    rating__in=[Petition.Rating.SATISFIED, Petition.Rating.FAIRLY]
                ),
            ),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            complaints=Count("id", filter=Q(category__group=Category.Group.COMPLAINT)),
        )
        .order_by()
    )
    names = {f: f for f in FIGURES[:7]}
    for row in rows:
        key = _key(row, *_COMPOUND, "compound__community_id", "compound_id")
        _add(atoms, key, row, names)


def _household_atoms(atoms: dict) -> None:
    path = "unit__building__compound"
    rows = (
        Household.objects.filter(**{f"{path}__property_company__isnull": False})
        .values(
            f"{path}__property_company_id",
            f"{path}__community__subdistrict__district_id",
            f"{path}__community_id",
            f"{path}_id",
        )
        .annotate(households=Count("id"))
        .order_by()
    )
    for row in rows:
        key = _key(
            row,
            f"{path}__property_company_id",
            f"{path}__community__subdistrict__district_id",
            f"{path}__community_id",
            f"{path}_id",
        )
        _add(atoms, key, row, {"households": "households"})


def _fee_atoms(atoms: dict, quarter: datetime.date) -> None:
    rows = (
        FeeCollection.objects.filter(
            month__in=calendar.quarter_months(quarter),
            compound__property_company__isnull=False,
        )
        .values(*_COMPOUND, "compound__community_id", "compound_id")
        .annotate(fee_billed=Sum("households_billed"), fee_paid=Sum("households_paid"))
        .order_by()
    )
    for row in rows:
        key = _key(row, *_COMPOUND, "compound__community_id", "compound_id")
        _add(atoms, key, row, {"fee_billed": "fee_billed", "fee_paid": "fee_paid"})


def _action_item_atoms(atoms: dict, quarter: datetime.date) -> None:
    """Action items due in the quarter owned by a company's staff, counted at
    the meeting body's compound (or its community only)."""
    months = calendar.quarter_months(quarter)
    body = "topic__meeting__body"
    company = "owner__roles__property_company_id"
    done_on_time = Q(status=ActionItem.Status.DONE, done_at__date__lte=F("due_date"))
    rows = (
        ActionItem.objects.filter(
            due_date__gte=months[0],
            due_date__lte=calendar.month_end(months[-1]),
            owner__roles__property_company__isnull=False,
        )
        .exclude(status=ActionItem.Status.CANCELLED)
        .values(
            company,
            f"{body}__community__subdistrict__district_id",
            f"{body}__community_id",
            f"{body}__compound_id",
        )
        # One person may hold several roles in the company: count items once.
        .annotate(
            items_due=Count("id", distinct=True),
            items_on_time=Count("id", filter=done_on_time, distinct=True),
        )
        .order_by()
    )
    for row in rows:
        key = _key(
            row,
            company,
            f"{body}__community__subdistrict__district_id",
            f"{body}__community_id",
            f"{body}__compound_id",
        )
        _add(
            atoms,
            key,
            row,
            {"items_due": "items_due", "items_on_time": "items_on_time"},
        )


def quarter_atoms(quarter: datetime.date) -> dict[Key, dict]:
    """Return the figures of the quarter per company and compound (compound
    None: action items of a community's meetings held for no one compound)."""
    start = calendar.local_datetime(calendar.quarter_start(quarter))
    end = calendar.local_datetime(
        calendar.add_months(calendar.quarter_start(quarter), 3)
    )
    atoms: dict[Key, dict] = {}
    _case_atoms(atoms, start, end)
    _household_atoms(atoms)
    _fee_atoms(atoms, quarter)
    _action_item_atoms(atoms, quarter)
    return atoms


def roll_up(atoms: dict[Key, dict]) -> dict[tuple, dict]:
    """Sum the atoms into units: {(level, company, district, community,
    compound): figures} for compounds, communities and districts."""
    units: dict[tuple, dict] = {}
    for (company, district, community, compound), figures in atoms.items():
        keys = [
            ("community", company, district, community, None),
            ("district", company, district, None, None),
        ]
        if compound is not None:
            keys.append(("compound", company, district, community, compound))
        for key in keys:
            target = units.setdefault(key, dict.fromkeys(FIGURES, 0))
            for name in FIGURES:
                target[name] += figures[name]
    return units


def _rate(part, whole) -> float | None:
    return part / whole if whole else None


def _platform_values(figures: dict) -> dict[str, tuple]:
    """Each indicator's (value, score 0–100, basis) or (None, None, basis)."""
    on_time = _rate(figures["closed_on_time"], figures["closed"])
    satisfied = _rate(figures["satisfied"], figures["rated"])
    per_thousand = (
        figures["complaints"] * 1000 / figures["households"]
        if figures["households"]
        else None
    )
    reopened = _rate(figures["reopened"], figures["closed"])
    fees = _rate(figures["fee_paid"], figures["fee_billed"])
    items = _rate(figures["items_on_time"], figures["items_due"])

    def share(value):
        return None if value is None else 100 * value

    return {
        "closed_on_time": (
            on_time,
            share(on_time),
            f"{figures['closed_on_time']}/{figures['closed']}",
        ),
        "satisfaction": (
            satisfied,
            share(satisfied),
            f"{figures['satisfied']}/{figures['rated']}",
        ),
        "complaints": (
            per_thousand,
            None
            if per_thousand is None
            else max(0.0, 100 - per_thousand * 100 / COMPLAINTS_AT_ZERO),
            f"{figures['complaints']}/{figures['households']}",
        ),
        "reopen": (
            reopened,
            None if reopened is None else 100 * (1 - reopened),
            f"{figures['reopened']}/{figures['closed']}",
        ),
        "fee_collection": (
            fees,
            share(fees),
            f"{figures['fee_paid']}/{figures['fee_billed']}",
        ),
        "action_items": (
            items,
            share(items),
            f"{figures['items_on_time']}/{figures['items_due']}",
        ),
    }


def _round(value) -> float | None:
    return None if value is None else round(float(value), 4)


def score_unit(figures: dict, assessed: list[AssessmentScore]) -> tuple:
    """Return (score or None, breakdown) of a unit's figures and its
    company's assessment scores. Each part of the breakdown says its weight,
    value, score, the points it adds to the total, and what it was read from;
    parts without data carry no weight in that quarter."""
    parts = []
    for indicator in INDICATORS:
        value, score, basis = _platform_values(figures)[indicator.key]
        parts.append(
            {
                "key": indicator.key,
                "kind": "platform",
                "weight": indicator.weight,
                "value": _round(value),
                "score": _round(score),
                "basis": basis,
            }
        )
    for assessment in assessed:
        parts.append(
            {
                "key": f"item-{assessment.item_id}",
                "kind": "assessment",
                "label": assessment.item.name,
                "weight": assessment.item.weight,
                "value": None,
                "score": _round(assessment.score),
                "basis": assessment.evidence[:200],
            }
        )
    counted = sum(p["weight"] for p in parts if p["score"] is not None)
    for part in parts:
        part["points"] = (
            _round(part["score"] * part["weight"] / counted)
            if counted and part["score"] is not None
            else None
        )
    if figures["received"] < MIN_CASES_TO_SCORE or not counted:
        return None, parts
    total = sum(p["points"] for p in parts if p["points"] is not None)
    return Decimal(str(round(total, 2))), parts


def assessments_of(quarter: datetime.date) -> dict[tuple, list]:
    """{(company id, district id): the quarter's scores on active items}."""
    scores = AssessmentScore.objects.filter(
        quarter=calendar.quarter_start(quarter), item__is_active=True
    ).select_related("item")
    found: dict[tuple, list] = {}
    for score in scores.order_by("item__position", "item__name"):
        found.setdefault(
            (score.property_company_id, score.item.district_id), []
        ).append(score)
    return found
