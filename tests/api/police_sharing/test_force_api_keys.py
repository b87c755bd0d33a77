"""A force's own systems read its shares with an API key scoped to them, and post nothing."""

import pytest

from casework.accounts.models import ApiKey
from casework.sharing.models import SharedUpdate

from ...conftest import client_for_key
from ...factories import SharedCaseFactory, make_api_key
from .world import SHARED, detail, post_update, withdraw

pytestmark = pytest.mark.django_db


def test_a_force_api_key_with_shared_cases_read_lists_that_forces_shares(
    as_caseworker, case, police_force, other_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    integration = client_for_key(secret)
    [row] = integration.get(SHARED).json()["results"]
    assert row["share_reference"] == share.share_reference
    assert integration.get(detail(share)).status_code == 200
    _, other_secret = make_api_key(other_force, ["shared-cases:read"])
    other = client_for_key(other_secret)
    assert other.get(SHARED).json()["results"] == []
    assert other.get(detail(share)).status_code == 404
    withdraw(as_caseworker, case, police_force)
    assert integration.get(SHARED).json()["results"] == []
    assert integration.get(detail(share)).status_code == 404


def test_a_key_without_shared_cases_read_is_refused(case, police_force, charity):
    SharedCaseFactory(case=case, police_force=police_force)
    key, secret = make_api_key(police_force, ["shared-cases:read"])
    ApiKey.objects.filter(pk=key.pk).update(scopes=[])
    response = client_for_key(secret).get(SHARED)
    assert response.status_code == 403, response.json()
    _, charity_secret = make_api_key(charity)
    assert client_for_key(charity_secret).get(SHARED).status_code == 403


def test_an_api_key_cannot_post_updates(case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force)
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    assert post_update(client_for_key(secret), share).status_code == 403
    assert not SharedUpdate.objects.exists()
