import pytest

from petitions.services import petition_submit
from tests.petitions.factories import CategoryFactory


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def building(world):
    return world.households["G1"][0].unit.building


@pytest.fixture
def relay():
    """Hand queued work on as the relay process would (tasks run in-process)."""
    from core.outbox import outbox_relay

    return outbox_relay


@pytest.fixture
def submit(category, building):
    """Submit a leak report in grid G1 as a resident would."""

    def _submit(**overrides):
        fields = {
            "category": category,
            "description": "楼道水管漏水，地面积水",
            "building": building,
            "place_detail": "1单元 301",
            "reporter_name": "王大妈",
            "reporter_phone": "13912345678",
        }
        fields.update(overrides)
        petition, _created = petition_submit(**fields)
        return petition

    return _submit
