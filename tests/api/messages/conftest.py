"""The clock starts on Monday 2 March 2026 at 10:00 GMT, messages leave through a test gateway
that accepts everything, and the case is the caseworker's."""

import pytest
import time_machine

from casework.cases.models import Case

from ...factories import CaseFactory
from .world import START


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def provider(settings):
    settings.MESSAGE_GATEWAY = "tests.support.gateways.RecordingGateway"
    return settings


@pytest.fixture
def case(caseworker) -> Case:
    return CaseFactory(opened_by=caseworker, pseudonym="Wren")
