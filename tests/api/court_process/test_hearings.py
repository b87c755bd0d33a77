"""Hearings: what is refused when one is listed, and a new date that keeps the old one and the
reason it moved."""

import pytest

from casework.court.models import CourtEvent, CourtEventDateChange

from ...conftest import client_for
from ...editing import edit
from ...factories import CourtEventFactory, SupervisorFactory, UserFactory
from .world import (
    CROWN,
    MAGISTRATES,
    assert_refused,
    at,
    case_url,
    hearing_body,
    hearings_url,
    moment,
    move,
    open_case,
    results,
)

pytestmark = pytest.mark.django_db


# --- hearings: refused input ------------------------------------------------------------------


def _no_hearing_saved(case) -> None:
    assert not CourtEvent.objects.filter(case=case).exists()


def test_a_hearing_is_listed_with_its_attendees(as_caseworker, caseworker, isva):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(
            at(2027, 1, 11),
            attendees=[str(caseworker.id), str(isva.id)],
            special_measures_requested=["screens"],
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["attendees"]) == sorted([caseworker.username, isva.username])
    assert (body["status"], body["added_by_police"], body["date_changes"]) == ("listed", False, [])
    assert moment(body["starts_at"]) == at(2027, 1, 11)
    assert [row["id"] for row in results(as_caseworker.get(hearings_url(case)))] == [body["id"]]


def test_a_hearing_in_the_past_cannot_be_listed(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(hearings_url(case), hearing_body(at(2027, 1, 5)))
    assert_refused(response, "starts_at")
    _no_hearing_saved(case)


def test_a_past_hearing_may_be_recorded_as_completed(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 5), status="completed")
    )
    assert response.status_code == 201, response.json()


def test_special_measures_granted_but_never_requested_are_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(
            at(2027, 1, 11),
            special_measures_requested=["screens"],
            special_measures_granted=["screens", "live_link"],
        ),
    )
    assert_refused(response, "special_measures_granted")
    _no_hearing_saved(case)


def test_granting_a_measure_later_that_was_never_requested_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(
        case=case, starts_at=at(2027, 1, 11), special_measures_requested=["screens"]
    )
    response = edit(
        as_caseworker,
        f"{hearings_url(case)}{event.pk}/",
        {"special_measures_granted": ["intermediary"]},
    )
    assert_refused(response, "special_measures_granted")
    event.refresh_from_db()
    assert (event.special_measures_granted, event.version) == ([], 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hearing_type", "tea_party"),
        ("special_measures_requested", ["cloak_of_invisibility"]),
        ("status", "postponed"),
    ],
)
def test_unknown_hearing_values_are_refused(as_caseworker, caseworker, field, value):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), **{field: value})
    )
    assert_refused(response, field)
    _no_hearing_saved(case)


def test_a_hearing_refuses_fields_it_does_not_take(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), added_by_police=True)
    )
    assert_refused(response, "added_by_police")
    _no_hearing_saved(case)


def test_a_sentencing_hearing_needs_a_verdict_or_a_trial_before_it(as_caseworker, caseworker):
    case = open_case(caseworker, stage="awaiting_trial")
    body = hearing_body(at(2027, 3, 25), hearing_type="sentencing", court=CROWN)
    assert_refused(as_caseworker.post(hearings_url(case), body), "hearing_type")
    _no_hearing_saved(case)

    # A trial after the sentencing date, or a vacated one before it, does not count.
    CourtEventFactory(case=case, starts_at=at(2027, 4, 5), hearing_type="trial", court=CROWN)
    CourtEventFactory(
        case=case, starts_at=at(2027, 3, 8), hearing_type="trial", court=CROWN, status="vacated"
    )
    assert_refused(as_caseworker.post(hearings_url(case), body), "hearing_type")
    assert not CourtEvent.objects.filter(case=case, hearing_type="sentencing").exists()

    CourtEventFactory(case=case, starts_at=at(2027, 3, 9), hearing_type="trial", court=CROWN)
    assert as_caseworker.post(hearings_url(case), body).status_code == 201


def test_a_sentencing_hearing_may_follow_a_verdict(as_caseworker, caseworker):
    case = open_case(caseworker, stage="verdict")
    body = hearing_body(at(2027, 3, 25), hearing_type="sentencing", court=CROWN)
    assert as_caseworker.post(hearings_url(case), body).status_code == 201


def test_staff_of_another_charity_cannot_attend(as_caseworker, caseworker, other_charity):
    case = open_case(caseworker)
    outsider = UserFactory(organisation=other_charity)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(at(2027, 1, 11), attendees=[str(caseworker.id), str(outsider.id)]),
    )
    assert_refused(response, "attendees")
    _no_hearing_saved(case)

    event = CourtEventFactory(case=case, starts_at=at(2027, 1, 11))
    patched = edit(
        as_caseworker, f"{hearings_url(case)}{event.pk}/", {"attendees": [str(outsider.id)]}
    )
    assert_refused(patched, "attendees")
    assert not event.attendees.exists()


def test_police_cannot_attend_for_the_charity(as_caseworker, caseworker, police_liaison):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), attendees=[str(police_liaison.id)])
    )
    assert_refused(response, "attendees")
    _no_hearing_saved(case)


# --- hearings: moving the date ----------------------------------------------------------------


def test_a_new_hearing_date_keeps_the_old_one_with_the_reason(clock, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2027, 1, 11))
    url = f"{hearings_url(case)}{event.pk}/"

    (api,) = move(clock, at(2027, 1, 7, 9), caseworker)
    first = edit(
        api,
        url,
        {"starts_at": at(2027, 1, 18, 14).isoformat(), "date_change_reason": "Court list moved"},
    )
    assert first.status_code == 200, first.json()
    assert moment(first.json()["starts_at"]) == at(2027, 1, 18, 14)
    assert first.json()["version"] == 2
    [change] = first.json()["date_changes"]
    assert moment(change["previous_starts_at"]) == at(2027, 1, 11)
    assert moment(change["new_starts_at"]) == at(2027, 1, 18, 14)
    assert change["reason"] == "Court list moved"
    assert change["changed_by"] == caseworker.username
    assert moment(change["changed_at"]) == at(2027, 1, 7, 9)

    # A change that leaves the date alone adds no date change.
    unchanged = edit(api, url, {"pre_trial_visit_done": True})
    assert unchanged.status_code == 200
    assert len(unchanged.json()["date_changes"]) == 1

    (api,) = move(clock, at(2027, 1, 8, 9), caseworker)
    second = edit(
        api,
        url,
        {"starts_at": at(2027, 2, 1).isoformat(), "date_change_reason": "Defence not ready"},
    )
    assert second.status_code == 200, second.json()
    history = second.json()["date_changes"]
    assert [(moment(c["previous_starts_at"]), c["reason"]) for c in history] == [
        (at(2027, 1, 18, 14), "Defence not ready"),
        (at(2027, 1, 11), "Court list moved"),
    ]
    detail = api.get(url).json()
    assert detail["date_changes"] == history


def test_moving_a_listed_hearing_into_the_past_is_refused_and_keeps_no_change(
    as_caseworker, caseworker
):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2027, 1, 11))
    response = edit(
        as_caseworker,
        f"{hearings_url(case)}{event.pk}/",
        {"starts_at": at(2027, 1, 4).isoformat(), "date_change_reason": "Typo"},
    )
    assert_refused(response, "starts_at")
    event.refresh_from_db()
    assert (event.starts_at, event.version) == (at(2027, 1, 11), 1)
    assert not CourtEventDateChange.objects.exists()


def test_another_charitys_staff_cannot_see_or_change_the_hearings(caseworker, other_charity):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2027, 1, 11))
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert theirs.get(hearings_url(case)).status_code == 404
    assert theirs.get(f"{hearings_url(case)}{event.pk}/").status_code == 404
    assert theirs.post(hearings_url(case), hearing_body(at(2027, 1, 12))).status_code == 404
    patched = edit(theirs, f"{hearings_url(case)}{event.pk}/", {"court": "Elsewhere"})
    assert patched.status_code == 404
    event.refresh_from_db()
    assert event.court == MAGISTRATES and CourtEvent.objects.count() == 1


def test_risk_level_outside_the_scale_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        case_url(case, "support-plan/risk-assessments/"),
        {"assessed_on": "2027-01-06", "level": "extreme"},
    )
    assert_refused(response, "level")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not case.risk_assessments.exists()
