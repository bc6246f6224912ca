"""Owners' votes under Article 278 of the Civil Code (民法典第二百七十八条).

Participation: owners holding at least two thirds of the exclusive floor area
and at least two thirds of the owners take part. Raising the maintenance fund,
rebuilding and changing the use of common parts then need the consent of at
least three quarters of the participating area and of the participating owners;
other matters need more than half of both. "At least" (以上) includes the
boundary (Article 1259); "more than half" (过半数) does not. Fractions are
compared exactly, never as floats.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"


@dataclass(frozen=True)
class VoteOutcome:
    passed: bool
    #: Each threshold that failed, as (code, message); empty when passed.
    failed: list[tuple[str, str]] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


def _ratio(part, whole) -> Fraction:
    return Fraction(Decimal(part)) / Fraction(Decimal(whole)) if whole else Fraction(0)


def owners_vote_outcome(
    *,
    total_area: Decimal,
    total_owners: int,
    votes: list[tuple[Decimal, str]],
    special: bool,
) -> VoteOutcome:
    """Return the outcome of ``votes`` (floor area, choice) of one household
    each, out of an electorate of ``total_owners`` holding ``total_area``."""
    voted_area = sum((Decimal(a) for a, _c in votes), Decimal(0))
    voted_owners = len(votes)
    agree_area = sum((Decimal(a) for a, c in votes if c == AGREE), Decimal(0))
    agree_owners = sum(1 for _a, c in votes if c == AGREE)
    failed = []
    if _ratio(voted_area, total_area) < Fraction(2, 3):
        failed.append(
            (
                "participation_area",
                _("Less than two thirds of the floor area took part."),
            )
        )
    if _ratio(voted_owners, total_owners) < Fraction(2, 3):
        failed.append(
            ("participation_owners", _("Less than two thirds of the owners took part."))
        )
    if special:
        if _ratio(agree_area, voted_area) < Fraction(3, 4):
            failed.append(
                (
                    "consent_area",
                    _("Less than three quarters of the participating area agreed."),
                )
            )
        if _ratio(agree_owners, voted_owners) < Fraction(3, 4):
            failed.append(
                (
                    "consent_owners",
                    _("Less than three quarters of the participating owners agreed."),
                )
            )
    else:
        if not _ratio(agree_area, voted_area) > Fraction(1, 2):
            failed.append(
                (
                    "consent_area",
                    _("Not more than half of the participating area agreed."),
                )
            )
        if not _ratio(agree_owners, voted_owners) > Fraction(1, 2):
            failed.append(
                (
                    "consent_owners",
                    _("Not more than half of the participating owners agreed."),
                )
            )
    return VoteOutcome(
        passed=not failed,
        failed=failed,
        figures={
            "total_area": str(total_area),
            "total_owners": total_owners,
            "voted_area": str(voted_area),
            "voted_owners": voted_owners,
            "agree_area": str(agree_area),
            "agree_owners": agree_owners,
            "special": special,
        },
    )
