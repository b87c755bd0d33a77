"""What a sharing force sees of the hearings: those of an identified share, without attendees,
and none once the share is anonymous, withdrawn or another force's."""

import pytest

from casework.court.models import CourtEvent

from ...conftest import client_for
from ...factories import (
    ConsentDecisionFactory,
    CourtEventFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
)
from .world import (
    CROWN,
    MAGISTRATES,
    assert_refused,
    at,
    case_url,
    decisions_url,
    hearings_url,
    moment,
    open_case,
    results,
)

pytestmark = pytest.mark.django_db


def _shared_hearings(share) -> str:
    return f"/api/v1/shared-cases/{share.pk}/court-events/"


@pytest.fixture
def shared(caseworker, police_force):
    case = open_case(caseworker, stage="charged")
    event = CourtEventFactory(case=case, starts_at=at(2027, 1, 11), attendees=[caseworker])
    return case, event, SharedCaseFactory(case=case, police_force=police_force)


def test_the_force_sees_the_hearings_of_an_identified_share_without_attendees(
    as_police, caseworker, shared
):
    _, event, share = shared
    response = as_police.get(_shared_hearings(share))
    [row] = results(response)
    assert row["id"] == str(event.pk)
    assert (row["hearing_type"], row["court"], row["status"]) == (
        "first_hearing",
        MAGISTRATES,
        "listed",
    )
    assert moment(row["starts_at"]) == at(2027, 1, 11)
    assert "attendees" not in row
    assert caseworker.username not in response.content.decode()

    detail = as_police.get(f"/api/v1/shared-cases/{share.pk}/")
    assert detail.status_code == 200, detail.json()
    [shown] = detail.json()["court_events"]
    assert shown["id"] == str(event.pk) and "attendees" not in shown


def test_the_force_adds_a_hearing_the_charity_then_sees(
    as_police, as_caseworker, police_liaison, shared
):
    case, _, share = shared
    response = as_police.post(
        _shared_hearings(share),
        {
            "hearing_type": "trial",
            "court": CROWN,
            "starts_at": at(2027, 3, 8).isoformat(),
            "special_measures_requested": ["screens"],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["added_by_police"] is True
    assert "attendees" not in response.json()

    added = CourtEvent.objects.get(pk=response.json()["id"])
    assert (added.case_id, added.created_by, added.added_by_police) == (
        case.pk,
        police_liaison,
        True,
    )
    rows = {row["id"]: row for row in results(as_caseworker.get(hearings_url(case)))}
    assert rows[str(added.pk)]["added_by_police"] is True
    assert rows[str(added.pk)]["court"] == CROWN
    assert len(results(as_police.get(_shared_hearings(share)))) == 2
    timeline = as_caseworker.get(case_url(case, "timeline/"), {"page_size": 100}).json()
    police_item = next(
        i for i in timeline["results"] if i["kind"] == "court_event" and i["id"] == str(added.pk)
    )
    assert police_item["data"]["added_by_police"] is True


def test_the_force_cannot_list_a_hearing_in_the_past_or_name_attendees(as_police, shared):
    case, _, share = shared
    past = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 1, 4).isoformat()},
    )
    assert_refused(past, "starts_at")
    attendees = as_police.post(
        _shared_hearings(share),
        {
            "hearing_type": "trial",
            "court": CROWN,
            "starts_at": at(2027, 3, 8).isoformat(),
            "attendees": [],
        },
    )
    assert_refused(attendees, "attendees")
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_an_anonymous_share_shows_no_hearings(as_police, caseworker, police_force):
    case = open_case(caseworker, stage="charged")
    CourtEventFactory(case=case, starts_at=at(2027, 1, 11))
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    assert share.level == "anonymous"
    assert as_police.get(_shared_hearings(share)).status_code == 404
    posted = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_after_withdrawal_the_force_sees_no_hearings(as_police, caseworker, police_force, shared):
    case, _, share = shared
    assert as_police.get(_shared_hearings(share)).status_code == 200
    ConsentDecisionFactory(
        case=case, scope="share_with_police", granted=False, police_force=police_force
    )
    assert as_police.get(_shared_hearings(share)).status_code == 404
    posted = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_another_force_sees_no_hearings(shared):
    case, _, share = shared
    other = client_for(PoliceLiaisonFactory(organisation=PoliceForceFactory()))
    assert other.get(_shared_hearings(share)).status_code == 404
    posted = other.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_police_cannot_use_the_charitys_hearing_routes(as_police, shared):
    case, event, _ = shared
    assert as_police.get(hearings_url(case)).status_code == 403
    assert as_police.get(f"{hearings_url(case)}{event.pk}/").status_code == 403
    assert as_police.get(decisions_url(case)).status_code == 403


def test_charity_staff_cannot_use_the_police_hearing_route(as_caseworker, shared):
    _, _, share = shared
    assert as_caseworker.get(_shared_hearings(share)).status_code == 403
