"""Time is frozen: the clock starts on Wednesday 6 January 2027 and tests move it where they
need another day."""

import pytest
import time_machine

from .world import TODAY


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any other fixture signs anyone in, so their tokens are fresh."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller
