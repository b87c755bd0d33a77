"""A case of the caseworker's charity, shared with a force, holding everything there is to
export or erase."""

import pytest

from .world import Bundle, build


@pytest.fixture(autouse=True)
def _storage(attachment_storage):
    return attachment_storage


@pytest.fixture
def bundle(caseworker, police_force, police_liaison) -> Bundle:
    return build(caseworker, police_force, police_liaison, "S")
