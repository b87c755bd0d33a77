"""A case of the charity (as police sharing tests build it), and a second supervisor of the
same charity to decide what the first proposes."""

import pytest

from casework.cases.models import Case

from ...conftest import client_for
from ...factories import PoliceForceFactory, PoliceLiaisonFactory, SupervisorFactory
from ..police_sharing.world import open_case


@pytest.fixture
def case(caseworker) -> Case:
    return open_case(caseworker)


@pytest.fixture
def second_supervisor(charity):
    return SupervisorFactory(organisation=charity)


@pytest.fixture
def as_second(second_supervisor):
    return client_for(second_supervisor)


@pytest.fixture
def other_supervisor(other_charity):
    return SupervisorFactory(organisation=other_charity)


@pytest.fixture
def as_other_supervisor(other_supervisor):
    return client_for(other_supervisor)


@pytest.fixture
def other_force(db):
    return PoliceForceFactory()


@pytest.fixture
def other_liaison(other_force):
    return PoliceLiaisonFactory(organisation=other_force)
