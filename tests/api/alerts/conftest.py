"""A case whose client agreed to warn others, a second supervisor to review what is drafted,
and the charity's subscribers' keys."""

import pytest

from casework.cases.models import Case

from ...conftest import client_for, client_for_key
from ...factories import SupervisorFactory, make_api_key
from ..police_sharing.world import open_case
from .world import agree_to_warn


@pytest.fixture
def case(caseworker, as_caseworker) -> Case:
    opened = open_case(caseworker)
    agree_to_warn(as_caseworker, opened)
    return opened


@pytest.fixture
def as_reviewer(charity):
    return client_for(SupervisorFactory(organisation=charity))


@pytest.fixture
def as_feed_key(charity):
    _, secret = make_api_key(charity, ["alerts:read"])
    return client_for_key(secret)


@pytest.fixture
def as_checker_key(charity):
    _, secret = make_api_key(charity, ["checker:query"])
    return client_for_key(secret)
