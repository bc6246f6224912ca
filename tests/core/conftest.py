import datetime

import pytest
from time_machine import escape_hatch

from tests.core.fake_tencent_sms import fake_sms  # noqa: F401
from tests.core.fake_wechat import fake_wechat  # noqa: F401
from tests.petitions.conftest import building, category, relay, submit  # noqa: F401


@pytest.fixture
def wall_clock(pinned_clock):
    """Move the pinned clock to the wall clock, for the tests that start real
    processes (worker, beat, relay): those run on the wall clock, and both
    sides must agree on when work is due."""
    now = datetime.datetime.fromtimestamp(escape_hatch.time.time(), tz=datetime.UTC)
    pinned_clock.move_to(now)
    return pinned_clock
