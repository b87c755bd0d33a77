"""The frozen clock, and the people and routes more than one rule needs."""

from datetime import timedelta

import pytest
import time_machine

from casework.clients.services import contact_method_retire

from ...factories import (
    ContactMethodFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SupervisorFactory,
)
from .world import START, log, open_case


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any other fixture creates anyone, so every row starts at START."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def escalation(clock, caseworker, supervisor, charity, other_charity):
    """A client reached once, with a mobile, a third party, an outreach location and a retired
    third party, and a charity with two active supervisors and one who has left."""
    second = SupervisorFactory(organisation=charity)
    SupervisorFactory(organisation=charity, is_active=False)
    SupervisorFactory(organisation=other_charity)
    case = open_case(caseworker)
    client = case.client
    friend = ContactMethodFactory(
        client=client,
        kind="third_party",
        value="07700 900777",
        third_party_name="Sister, Jo",
    )
    outreach = ContactMethodFactory(
        client=client,
        kind="outreach_location",
        value="Thursday van, Holbeck",
    )
    old_friend = ContactMethodFactory(
        client=client,
        kind="third_party",
        value="07700 900778",
        third_party_name="Former flatmate",
    )
    contact_method_retire(method=old_friend, retired_by=caseworker, reason="Fell out.")
    reached_at = START + timedelta(days=1)
    clock.move_to(reached_at)
    log(case, "reached")
    return {
        "case": case,
        "supervisors": [supervisor, second],
        "routes": {friend.pk, outreach.pk},
        "reached_at": reached_at,
    }


@pytest.fixture
def force(db):
    return PoliceForceFactory()


@pytest.fixture
def liaisons(force):
    """Two active liaison officers of the force, one who has left, and one of another force."""
    PoliceLiaisonFactory(organisation=force, is_active=False)
    PoliceLiaisonFactory(organisation=PoliceForceFactory())
    return [PoliceLiaisonFactory(organisation=force), PoliceLiaisonFactory(organisation=force)]
