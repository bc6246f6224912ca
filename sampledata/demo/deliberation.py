"""Demo data of deliberation in 端庄社区: the monthly 红色议事会 (seed 000), a
逢四说事 joint meeting on the 4th, 14th and 24th (seed 004) and a 小板凳议事会 at
the self-governed 东关老宿舍 (seed 003), each with thirteen months of meetings
(sign-ins, decisions, action items carried over until done, minutes) and the
meetings ahead; residents' proposals; and two elevators (加装电梯) through the
party organisation to the owners, who vote online and on paper: one decided,
one voting now. Idempotent.

The past meetings are written by the district generator's deliberation
builder over the demo's own residents and cases; the meetings ahead, the
proposals and the major matters go through the services.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from core import calendar
from deliberation import services
from deliberation.models import DeliberationBody, MajorMatter
from grids.models import Household, PartyOrganization, Person

from ..district.deliberation import BodyPlan, DeliberationRows, body_write, stool_body
from .plan import case_samples, demo_build

B = DeliberationBody
HALL = BodyPlan(
    "红色议事会", B.Kind.HALL, None, B.Rule.MONTHLY_DAY, 10, None, None, 15,
    True, 1.0, "红色物业议事厅", cancel_share=0.0,
)  # fmt: skip
FENGSI = BodyPlan(
    "逢四说事联席会议", B.Kind.JOINT, None, B.Rule.FENGSI, None, None, None, 15,
    True, 1.0, "红色物业议事厅",
)  # fmt: skip
STOOL_COMPOUND = "东关老宿舍"
PROPOSALS = [
    (
        "东关老宿舍楼道安装声控灯",
        "晚上楼道太黑，老人上下楼不安全，建议安装声控灯。",
        23,
    ),
    ("增设小区快递柜", "快递经常堆在门卫室，建议在小区门口增设快递柜。", 41),
    ("端庄花园南门增设无障碍坡道", "南门台阶对轮椅和婴儿车很不方便。", 12),
]


@transaction.atomic
def demo_seed() -> dict:
    community_staff = Person.objects.filter(user__username="dz_community").first()
    if community_staff is None:
        return {"meetings": 0}
    community = community_staff.community
    if DeliberationBody.objects.filter(community=community, name=HALL.name).exists():
        return {"meetings": 0}
    made = _history(community)
    for body in DeliberationBody.objects.filter(community=community):
        made += services.meetings_create_ahead(
            body=body, until=calendar.add_months(calendar.today(), 2)
        )
    _proposals(community)
    _major_matter(community, community_staff.user)
    return {
        "meetings": made,
        "proposals": len(PROPOSALS),
        "major_matters": len(ELEVATORS),
    }


def _history(community) -> int:
    """The three bodies with their past meetings and the next one ahead."""
    build = demo_build(community, seed="demo:deliberation")
    case_samples(build, community)
    plan = build.communities[0]
    plan.committee_id = PartyOrganization.objects.get(
        kind=PartyOrganization.Kind.COMMUNITY_COMMITTEE, community=community
    ).pk
    compound = community.compounds.get(name=STOOL_COMPOUND)
    rows = DeliberationRows()
    for body in (
        HALL,
        FENGSI,
        stool_body(compound.pk, f"{compound.name}小板凳议事会", 0.5),
    ):
        body_write(build, plan, body, rows)
    rows.write(build.loader)
    build.loader.reset_sequences()
    return len(rows.meetings)


def _proposals(community) -> None:
    """Residents' proposals with their supporters (one per phone number)."""
    for index, (title, text, supporters) in enumerate(PROPOSALS):
        proposal = services.proposal_submit(
            community=community,
            title=title,
            text=text,
            proposer_name=["周大爷", "吴女士", "郑阿姨"][index],
            proposer_phone=f"1380635{index:04d}",
        )
        for number in range(1, supporters):
            services.proposal_support(
                proposal=proposal, phone=f"1370{index}63{number:04d}"
            )


#: The owners' vote on the elevators: per household, the share that votes
#: online with a registered phone, then on paper, and the choices (agree,
#: disagree, abstain) in turn. 1号楼's count is done (passed: 520 of 720
#: households took part); 3号楼's window is open now.
ELEVATORS = [
    ("1号楼加装电梯", "1号楼居民提出加装电梯，费用按楼层分摊。", 300, 220, -20, -6),
    ("3号楼加装电梯", "3号楼居民提出加装电梯，低层住户对采光有顾虑。", 60, 40, -2, 12),
]
CHOICES = ["agree"] * 8 + ["disagree", "abstain"]


def _major_matter(community, staff) -> None:
    """Two elevators for 民生·壹号院, passed by the party organisation and put
    to the owners, who vote online with their verified phones and on paper:
    1号楼's decided and publicised, 3号楼's still voting."""
    compound = community.compounds.get(name="民生·壹号院")
    org = PartyOrganization.objects.filter(
        kind="grid_branch", community=community
    ).first()
    phones = dict(
        Person.objects.filter(household__unit__building__compound=compound)
        .exclude(mobile="")
        .order_by("-pk")
        .values_list("household_id", "mobile")
    )  # the first registered mobile of each household wins (pk descending)
    households = list(
        Household.objects.filter(unit__building__compound=compound)
        .select_related("unit__building")
        .order_by("pk")
    )
    now = timezone.now()
    for title, text, online, paper, opens_in, closes_in in ELEVATORS:
        matter = MajorMatter(
            compound=compound,
            kind=MajorMatter.Kind.ELEVATOR,
            title=title,
            description=text,
            party_org=org,
        )
        services.major_matter_raise(matter=matter, actor=staff)
        services.major_matter_party_review(
            matter=matter,
            actor=staff,
            passed=True,
            opinion="符合规划，同意提交业主表决。",
        )
        opens_at = now + datetime.timedelta(days=opens_in)
        closes_at = now + datetime.timedelta(days=closes_in)
        matter = services.major_matter_voting_open(
            matter=matter,
            opens_at=opens_at,
            closes_at=closes_at,
            actor=staff,
            now=opens_at - datetime.timedelta(days=1),
        )
        _owners_vote(matter, staff, households, phones, online, paper)
        if closes_at < now:
            services.major_matter_decide(matter=matter, actor=staff)
            services.major_matter_publicise(
                matter=matter, actor=staff, note="表决结果在小区公告栏公示七天。"
            )


def _owners_vote(matter, staff, households, phones, online: int, paper: int) -> None:
    """``online`` households vote with a registered phone in the window, in
    its first hundred hours; staff type in ``paper`` ballots of others."""
    opens_at = matter.voting_opens_at
    voters = [h for h in households if h.pk in phones]
    for n, household in enumerate(voters[:online]):
        services.owner_evote_cast(
            matter=matter,
            household=household,
            phone=phones[household.pk],
            choice=CHOICES[n % len(CHOICES)],
            now=opens_at + datetime.timedelta(hours=1 + n % 100),
        )
    for n, household in enumerate(households[-paper:]):
        services.owner_vote_record(
            matter=matter,
            household=household,
            choice=CHOICES[(n + 3) % len(CHOICES)],
            actor=staff,
        )
