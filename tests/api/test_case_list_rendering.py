"""The case list's hand-written rendering says exactly what DRF's rendering of the declared
fields says, whatever the case holds."""

import pytest
from django.utils import timezone

from api.cases.serializers import CaseListItem
from casework.cases.selectors import case as case_as_shown

from ..factories import CaseFactory, IsvaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closed", [False, True])
def test_the_fast_rendering_equals_the_declared_one(charity, caseworker, supervisor, closed):
    case = CaseFactory(
        opened_by=caseworker,
        pseudonym="Ember",
        assigned_to=[IsvaFactory(organisation=charity)],
        offence_types=["robbery", "stalking"],
        incident_date=None if closed else timezone.localdate(),
        support="closed" if closed else None,
        support_reason="Done.",
        closure_reason="support_completed",
    )
    loaded = case_as_shown(principal=caseworker, pk=case.pk)
    serializer = CaseListItem()
    fast, generic = serializer.to_representation(loaded), serializer.generic_representation(loaded)
    assert fast == generic
    assert len(fast["assignments"]) == 2


def test_the_list_endpoint_uses_the_same_shape(as_caseworker, charity, caseworker):
    CaseFactory(opened_by=caseworker, pseudonym="Ash")
    row = as_caseworker.get("/api/v1/cases/").json()["results"][0]
    assert set(row) == set(CaseListItem.Meta.fields)
    assert row["client"]["pseudonym"] == "Ash"
