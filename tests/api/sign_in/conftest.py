"""Time frozen a few seconds into a TOTP step, and a caseworker with two-factor sign-in on."""

import pytest
import time_machine

from ...conftest import client_for
from .world import START, enrol, next_step


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any fixture signs anyone in, so tokens and codes share one clock."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(caseworker, clock):
    """A caseworker with two-factor sign-in on, one step after the confirming code."""
    device, codes = enrol(client_for(caseworker), caseworker)
    next_step(clock)
    return device, codes
