"""What a generation builds and what its steps hand on to each other: the
shape asked for, the places and people already written, the random streams."""

import base64
import random
from dataclasses import dataclass, field

from core import calendar

from .clock import Clock
from .loader import Loader
from .names import GIVEN, SURNAMES

BASE_HOUSEHOLDS = 100_000
BASE_PETITIONS = 1_000_000


class GenerateRefused(Exception):
    """Nothing was generated: the options make no district, or the database
    already holds one and ``force`` was not given."""


@dataclass(frozen=True)
class Shape:
    """What to build: the organisation is fixed, volumes follow ``scale``."""

    subdistricts: int = 10
    communities: int = 60
    grids: int = 500
    companies: int = 15
    scale: float = 1.0
    years: int = 3
    seed: int = 1

    @property
    def households(self) -> int:
        return max(1, round(BASE_HOUSEHOLDS * self.scale))

    @property
    def petitions(self) -> int:
        return round(BASE_PETITIONS * self.scale)


@dataclass(slots=True)
class Place:
    """One household and where it is, as a case or a sign-up needs it."""

    household_id: int
    unit_id: int
    building_id: int
    building_number: str
    compound_id: int
    grid_id: int
    detail: str
    person_id: int
    name: str
    phone: str


@dataclass
class CommunityPlan:
    """A community as the later steps draw on it: its grids, compounds,
    households (places), staff and party organisations."""

    id: int
    subdistrict_id: int
    name: str
    households: int
    activity: float  # how readily residents report, relative
    late_share: float  # how often its handlers miss a deadline
    grid_ids: list[int] = field(default_factory=list)
    #: {id, name, kind, company, committee, households, buildings: [(id, grid)]}
    compounds: list[dict] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    committee_id: int = 0
    grid_branch: dict[int, int] = field(default_factory=dict)
    team_id: int = 0
    members: list[Place] = field(default_factory=list)  # homes of party members


@dataclass
class Build:
    """The state of one generation, handed from step to step."""

    shape: Shape
    clock: Clock
    loader: Loader
    rng: random.Random
    #: Tokens and credit codes: a stream of their own, so that they differ
    #: between districts of the same seed while the data stays the same.
    tag_rng: random.Random | None
    communities: list[CommunityPlan] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    grid_worker: dict[int, int] = field(default_factory=dict)
    steward: dict[tuple[int, int], int] = field(default_factory=dict)
    company_of_compound: dict[int, int | None] = field(default_factory=dict)
    #: Names of staff and handlers by person id, for the timelines.
    names: dict[int, str] = field(default_factory=dict)
    in_service: list[tuple] = field(default_factory=list)
    subdistrict_staff: dict[int, int] = field(default_factory=dict)
    subdistrict_ids: list[int] = field(default_factory=list)
    subdistrict_names: dict[int, str] = field(default_factory=dict)
    party_orgs: dict = field(default_factory=dict)
    categories: list = field(default_factory=list)
    departments: dict[str, int] = field(default_factory=dict)
    #: A few case ids per (community, month) that meetings may discuss.
    case_samples: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    district_id: int = 0
    district_name: str = ""
    code: str = ""

    #: When the registry was filled in: the month before the history starts.
    created: int = 0

    def __post_init__(self):
        if not self.created:
            self.created = self.clock.midnight(
                calendar.add_months(self.clock.first, -1)
            )

    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))

    def mobile(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def stamps(self, epoch: int | None = None) -> tuple[int, int]:
        """created_at and updated_at: never later than the generation's now
        (a meeting planned for next week was entered before today)."""
        epoch = self.created if epoch is None else min(epoch, self.clock.now)
        return epoch, epoch

    def token(self, size: int) -> str:
        return base64.urlsafe_b64encode(self.tag_rng.randbytes(size * 3 // 4)).decode()


def apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each share at least
    ``minimum`` (so the sum exceeds ``total`` when it is too small)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [max(minimum, int(r)) for r in raw]
    left = total - sum(shares)
    for index in sorted(
        range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True
    ):
        if left <= 0:
            break
        shares[index] += 1
        left -= 1
    return shares
