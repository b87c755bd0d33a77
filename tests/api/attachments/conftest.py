import pytest

from ...clamd import clamd_with_official_database, clamd_with_own_signature  # noqa: F401
from ...factories import CaseFactory


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker)


@pytest.fixture(autouse=True)
def _storage(attachment_storage):
    return attachment_storage
