"""Bad input is refused with a clear Chinese message and nothing half-written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from core.models import AuditEvent
from core.phones import mask_mobile, normalize_mobile
from grids.models import Building, PartyOrganization, Person, Role
from grids.services import org_object_save, role_assign
from tests.grids import factories as f


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _messages(exc_info) -> str:
    return " ".join(
        m for messages in exc_info.value.message_dict.values() for m in messages
    )


@pytest.mark.parametrize(
    "raw", ["1381234123", "23812341234", "1381234123x", "12012341234", "138123412345"]
)
def test_person_save_refuses_invalid_mobile(db, raw):
    """A number that is not an 11-digit mainland mobile is refused, in Chinese."""
    person = f.PersonFactory.build(household=None, community=f.CommunityFactory())
    person.mobile = raw
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=person)
    assert "不是有效的大陆手机号" in _messages(exc_info)
    assert not Person.objects.filter(name=person.name).exists()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("+86 138-1234-1234", "13812341234"), ("0086 15912345678", "15912345678")],
)
def test_person_save_normalises_mobile(db, raw, stored):
    """Spaces, dashes and a country prefix are removed before the number is kept."""
    person = f.PersonFactory.build(household=None, community=f.CommunityFactory())
    person.mobile = raw
    assert org_object_save(actor=None, instance=person).mobile == stored


def test_mask_mobile_hides_the_middle_digits():
    """Lists show 138****1234."""
    assert mask_mobile("13812341234") == "138****1234"
    assert normalize_mobile(" 138 1234 1234 ") == "13812341234"


def test_building_in_another_communitys_grid_is_refused(db):
    """A building cannot lie in a grid of another community."""
    compound = f.CompoundFactory()
    foreign_grid = f.GridFactory()
    building = Building(compound=compound, grid=foreign_grid, number="9号楼")
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=building)
    assert "属于另一个社区" in _messages(exc_info)
    assert not Building.objects.filter(number="9号楼").exists()


def test_resident_of_household_in_other_community_is_refused(db):
    """A resident's household must lie in the community whose register holds them."""
    household = f.HouseholdFactory()
    other = f.CommunityFactory()
    person = Person(community=other, household=household, name="周某")
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=person)
    assert "不在社区" in _messages(exc_info)


def test_role_ending_before_it_starts_is_refused(db):
    """A term that ends before it starts is refused by the service and the database."""
    person = f.PersonFactory()
    grid = f.GridFactory(community=person.community)
    with pytest.raises(ValidationError) as exc_info:
        role_assign(
            actor=None,
            person=person,
            kind=Role.Kind.GRID_WORKER,
            grid=grid,
            start_date=datetime.date(2024, 5, 1),
            end_date=datetime.date(2024, 4, 30),
        )
    assert "任期结束不能早于开始" in _messages(exc_info)
    assert not Role.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(
            person=person,
            kind=Role.Kind.GRID_WORKER,
            grid=grid,
            start_date=datetime.date(2024, 5, 1),
            end_date=datetime.date(2024, 4, 30),
        )


def test_role_must_name_what_it_is_held_in(db):
    """A grid worker's role names a grid, and nothing else."""
    person = f.PersonFactory()
    with pytest.raises(ValidationError) as exc_info:
        role_assign(actor=None, person=person, kind=Role.Kind.GRID_WORKER)
    assert "网格" in _messages(exc_info)
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(
            person=person, kind=Role.Kind.GRID_WORKER, community=person.community
        )


def test_one_person_holds_several_roles_in_several_bodies(db):
    """Cross-appointment: a community committee member also sits on the owners'
    committee and is a building head."""
    person = f.PersonFactory()
    compound = person.household.unit.building.compound
    committee_org = f.PartyOrganizationFactory(community=person.community)
    owners = org_object_save(
        actor=None,
        instance=compound.__class__.owners_committee.related.related_model(
            compound=compound, name="业委会"
        ),
    )
    role_assign(
        actor=None,
        person=person,
        kind=Role.Kind.PARTY_COMMITTEE_MEMBER,
        party_org=committee_org,
    )
    role_assign(
        actor=None,
        person=person,
        kind=Role.Kind.OWNERS_COMMITTEE_MEMBER,
        owners_committee=owners,
    )
    role_assign(
        actor=None,
        person=person,
        kind=Role.Kind.BUILDING_HEAD,
        building=person.household.unit.building,
    )
    assert set(person.roles.values_list("kind", flat=True)) == {
        "party_committee_member",
        "owners_committee_member",
        "building_head",
    }


def test_party_org_tiers_are_enforced(db):
    """A grid branch sits under a community committee, not under the subdistrict."""
    community = f.CommunityFactory()
    working = org_object_save(
        actor=None,
        instance=PartyOrganization(
            name="街道党工委",
            kind=PartyOrganization.Kind.SUBDISTRICT_COMMITTEE,
            subdistrict=community.subdistrict,
        ),
    )
    grid = f.GridFactory(community=community)
    branch = PartyOrganization(
        name="网格党支部",
        kind=PartyOrganization.Kind.GRID_BRANCH,
        parent=working,
        grid=grid,
        subdistrict=community.subdistrict,
    )
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=branch)
    assert "不能隶属于" in _messages(exc_info)
    committee = org_object_save(
        actor=None,
        instance=PartyOrganization(
            name="社区党委",
            kind=PartyOrganization.Kind.COMMUNITY_COMMITTEE,
            parent=working,
            community=community,
            subdistrict=community.subdistrict,
        ),
    )
    branch.parent = committee
    saved = org_object_save(actor=None, instance=branch)
    assert saved.community == community


def test_division_code_must_extend_its_parents(db):
    """A community's 12-digit code starts with its subdistrict's first nine digits."""
    subdistrict = f.SubdistrictFactory(division_code="371502010000")
    community = f.CommunityFactory.build(
        subdistrict=subdistrict, division_code="371502099001"
    )
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=community)
    assert "371502010" in _messages(exc_info)


def test_in_service_member_names_the_work_unit(db):
    """A 双报到 member without a work unit is refused."""
    person = f.PersonFactory()
    member = f.PartyMemberFactory.build(
        person=person, community=person.community, kind="in_service", work_unit=""
    )
    with pytest.raises(ValidationError) as exc_info:
        org_object_save(actor=None, instance=member)
    assert "工作单位" in _messages(exc_info)


def test_save_outside_the_actors_units_writes_nothing(world):
    """A community worker cannot create a record in another community."""
    household = world.households["G4"][0]
    person = Person(community=world.c3, household=household, name="越权")
    with pytest.raises(PermissionDenied):
        org_object_save(actor=world.users["community"], instance=person)
    assert not Person.objects.filter(name="越权").exists()


def test_every_service_write_leaves_an_audit_row(world):
    """Saving through the service records who changed what."""
    person = world.people["G1"][0]
    person.name = "改名"
    org_object_save(actor=world.users["community"], instance=person)
    event = AuditEvent.objects.get(action="person.update", target_id=str(person.pk))
    assert event.actor == world.users["community"]
    assert event.changes["name"] == "改名"
