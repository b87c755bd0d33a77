"""The case list's hand-written rendering says exactly what DRF's rendering of the declared
fields says, whatever the case holds."""

import pytest

from api.cases.serializers import CaseListItem
from api.cases.views import _case_queryset
from casework.cases.services.cases import case_create, case_transition
from casework.clients.services import client_create

from ..factories import IsvaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closed", [False, True])
def test_the_fast_rendering_equals_the_declared_one(charity, caseworker, supervisor, closed):
    client = client_create(organisation=charity, created_by=caseworker, pseudonym="Ember")
    case = case_create(
        client=client,
        opened_by=caseworker,
        assigned_to=[IsvaFactory(organisation=charity)],
        offence_types=["robbery", "stalking"],
        incident_date=None if closed else client.created_at.date(),
    )
    if closed:
        case_transition(
            case=case,
            actor=caseworker,
            lifecycle="support",
            to="closed",
            reason="Done.",
            closure_reason="support_completed",
        )
    loaded = _case_queryset().get(pk=case.pk)
    serializer = CaseListItem()
    fast, generic = serializer.to_representation(loaded), serializer.generic_representation(loaded)
    assert fast == generic
    assert len(fast["assignments"]) == 2


def test_the_list_endpoint_uses_the_same_shape(as_caseworker, charity, caseworker):
    client = client_create(organisation=charity, created_by=caseworker, pseudonym="Ash")
    case_create(client=client, opened_by=caseworker)
    row = as_caseworker.get("/api/v1/cases/").json()["results"][0]
    assert set(row) == set(CaseListItem.Meta.fields)
    assert row["client"]["pseudonym"] == "Ash"
