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

from django.utils.translation import gettext_lazy as _

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"


@dataclass(frozen=True)
class VoteOutcome:
    passed: bool
    #: Each threshold that failed, as (code, message); empty when passed.
    failed: list[tuple[str, str]] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


def _ratio(part, whole) -> Fraction:
    return Fraction(Decimal(part)) / Fraction(Decimal(whole)) if whole else Fraction(0)


#: The thresholds, in the order they are checked: (code, the share's
#: numerator and denominator names, the bar, whether the bar itself passes,
#: the message when it fails). Participation holds for every matter.
_PARTICIPATION = [
    (
        "participation_area",
        ("voted_area", "total_area"),
        Fraction(2, 3),
        _("Less than two thirds of the floor area took part."),
    ),
    (
        "participation_owners",
        ("voted_owners", "total_owners"),
        Fraction(2, 3),
        _("Less than two thirds of the owners took part."),
    ),
]
#: Special matters need three quarters (以上: the bar passes).
_SPECIAL_CONSENT = [
    (
        "consent_area",
        ("agree_area", "voted_area"),
        Fraction(3, 4),
        _("Less than three quarters of the participating area agreed."),
    ),
    (
        "consent_owners",
        ("agree_owners", "voted_owners"),
        Fraction(3, 4),
        _("Less than three quarters of the participating owners agreed."),
    ),
]
#: Other matters need more than half (过半数: the bar itself fails).
_ORDINARY_CONSENT = [
    (
        "consent_area",
        ("agree_area", "voted_area"),
        Fraction(1, 2),
        _("Not more than half of the participating area agreed."),
    ),
    (
        "consent_owners",
        ("agree_owners", "voted_owners"),
        Fraction(1, 2),
        _("Not more than half of the participating owners agreed."),
    ),
]


def owners_vote_outcome(
    *,
    total_area: Decimal,
    total_owners: int,
    votes: list[tuple[Decimal, str]],
    special: bool,
) -> VoteOutcome:
    """Return the outcome of ``votes`` (floor area, choice) of one household
    each, out of an electorate of ``total_owners`` holding ``total_area``."""
    counts = {
        "total_area": Decimal(total_area),
        "total_owners": total_owners,
        "voted_area": sum((Decimal(a) for a, _c in votes), Decimal(0)),
        "voted_owners": len(votes),
        "agree_area": sum((Decimal(a) for a, c in votes if c == AGREE), Decimal(0)),
        "agree_owners": sum(1 for _a, c in votes if c == AGREE),
    }
    failed = []
    for code, (part, whole), bar, message in _PARTICIPATION:
        if _ratio(counts[part], counts[whole]) < bar:
            failed.append((code, str(message)))
    for code, (part, whole), bar, message in (
        _SPECIAL_CONSENT if special else _ORDINARY_CONSENT
    ):
        share = _ratio(counts[part], counts[whole])
        if (share < bar) if special else (share <= bar):
            failed.append((code, str(message)))
    figures = {k: str(v) if isinstance(v, Decimal) else v for k, v in counts.items()}
    figures["total_area"] = str(total_area)
    return VoteOutcome(
        passed=not failed, failed=failed, figures={**figures, "special": special}
    )
