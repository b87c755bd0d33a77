"""A case of the caseworker's charity, and a second force with an officer of its own."""

import pytest

from casework.cases.models import Case

from ...conftest import client_for
from ...factories import PoliceForceFactory, PoliceLiaisonFactory
from ..police_sharing.world import open_case


@pytest.fixture
def case(caseworker) -> Case:
    return open_case(caseworker)


@pytest.fixture
def other_force(db):
    return PoliceForceFactory()


@pytest.fixture
def other_liaison(other_force):
    return PoliceLiaisonFactory(organisation=other_force)


@pytest.fixture
def as_other_police(other_liaison):
    return client_for(other_liaison)
