"""The calendar feed: a person's own hearings by case reference and court, never the client's
name, behind a link that a new feed, a revocation or a deactivation ends."""

import logging
from urllib.parse import urlparse

import pytest
from icalendar import Calendar

from casework.logging import SecretPathFilter

from ...factories import (
    PASSWORD,
    CaseFactory,
    ClientFactory,
    ContactMethodFactory,
    CourtEventFactory,
)
from .world import (
    CROWN,
    LEGAL_NAME,
    MAGISTRATES,
    PHONE,
    PHONE_E164,
    PHONE_NATIONAL,
    PSEUDONYM,
    at,
    open_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_cases(caseworker, isva, supervisor):
    client = ClientFactory(created_by=caseworker, pseudonym=PSEUDONYM, legal_name=LEGAL_NAME)
    ContactMethodFactory(client=client, kind="mobile", value=PHONE, preferred=True)
    mine = CaseFactory(client=client, opened_by=caseworker, offence_types=["rape"])
    CourtEventFactory(case=mine, starts_at=at(2027, 1, 11))
    CourtEventFactory(case=mine, starts_at=at(2027, 3, 8), hearing_type="trial", court=CROWN)
    CourtEventFactory(
        case=mine, starts_at=at(2027, 2, 1), court="Bradford Crown Court", status="vacated"
    )
    not_mine = open_case(supervisor, assigned=[isva], pseudonym="Someone Else")
    CourtEventFactory(case=not_mine, starts_at=at(2027, 1, 12), court="Sheffield Crown Court")
    return mine, not_mine


def _feed_path(api) -> str:
    response = api.post("/api/v1/me/calendar-feed/")
    assert response.status_code == 201, response.json()
    url = response.json()["url"]
    assert url.startswith("http") and url.endswith(".ics")
    return urlparse(url).path


def test_the_calendar_feed_lists_my_hearings_by_case_reference_and_court(
    as_caseworker, anonymous, calendar_cases
):
    mine, _ = calendar_cases
    path = _feed_path(as_caseworker)
    assert path.startswith("/calendar/")
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]

    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    by_court = {str(event["LOCATION"]): event for event in events}
    assert set(by_court) == {MAGISTRATES, CROWN}
    for event in events:
        assert mine.reference in str(event["SUMMARY"])
    assert by_court[MAGISTRATES].decoded("DTSTART") == at(2027, 1, 11)
    assert by_court[CROWN].decoded("DTSTART") == at(2027, 3, 8)


def test_the_calendar_feed_never_names_the_client(as_caseworker, anonymous, calendar_cases):
    mine, not_mine = calendar_cases
    raw = anonymous.get(_feed_path(as_caseworker)).content
    unfolded = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    for text in (raw, unfolded):
        lowered = text.decode().lower()
        for needle in (
            PSEUDONYM,
            "Marigold",
            LEGAL_NAME,
            "Vance",
            PHONE,
            PHONE_E164,
            PHONE_NATIONAL,
            str(mine.client_id),
            "Sheffield",
            "Bradford",
            not_mine.reference,
        ):
            assert needle.lower() not in lowered, f"{needle!r} is in the feed"


def test_each_person_feed_has_only_their_own_hearings(as_isva, anonymous, calendar_cases):
    _, not_mine = calendar_cases
    events = Calendar.from_ical(anonymous.get(_feed_path(as_isva)).content).walk("VEVENT")
    assert [str(event["LOCATION"]) for event in events] == ["Sheffield Crown Court"]
    assert not_mine.reference in str(events[0]["SUMMARY"])


def test_issuing_a_new_feed_kills_the_old_link(as_caseworker, anonymous, calendar_cases):
    old = _feed_path(as_caseworker)
    new = _feed_path(as_caseworker)
    assert old != new
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


def test_revoking_the_feed_ends_the_link(as_caseworker, anonymous, calendar_cases):
    path = _feed_path(as_caseworker)
    assert anonymous.get(path).status_code == 200
    assert as_caseworker.delete("/api/v1/me/calendar-feed/").status_code == 204
    assert anonymous.get(path).status_code == 404
    assert as_caseworker.delete("/api/v1/me/calendar-feed/").status_code == 404


def test_a_made_up_feed_link_is_not_found(anonymous):
    assert anonymous.get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_deactivated_persons_feed_stops(as_caseworker, caseworker, anonymous, calendar_cases):
    path = _feed_path(as_caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert anonymous.get(path).status_code == 404


def test_police_have_no_calendar_feed(as_police):
    assert as_police.post("/api/v1/me/calendar-feed/").status_code == 403


def test_deactivation_revokes_the_link_for_good(
    as_caseworker, as_supervisor, caseworker, anonymous, calendar_cases
):
    path = _feed_path(as_caseworker)
    assert as_supervisor.post(f"/api/v1/staff/{caseworker.pk}/deactivate/").status_code == 200
    assert as_supervisor.post(f"/api/v1/staff/{caseworker.pk}/activate/").status_code == 200
    assert anonymous.get(path).status_code == 404


def test_a_password_change_ends_the_link_with_the_sessions(
    as_caseworker, anonymous, calendar_cases
):
    path = _feed_path(as_caseworker)
    assert anonymous.get(path).status_code == 200
    changed = as_caseworker.post(
        "/api/v1/auth/password/",
        {"current_password": PASSWORD, "new_password": "tall-trees-and-quiet-water-2026"},
    )
    assert changed.status_code == 204, changed.content
    assert anonymous.get(path).status_code == 404


def test_a_two_factor_reset_ends_the_link(
    as_caseworker, as_supervisor, caseworker, anonymous, calendar_cases
):
    path = _feed_path(as_caseworker)
    reset = as_supervisor.post(f"/api/v1/staff/{caseworker.pk}/reset-two-factor/")
    assert reset.status_code == 200
    assert anonymous.get(path).status_code == 404


def test_the_links_secret_stays_out_of_the_applications_logs(
    as_caseworker, anonymous, calendar_cases, caplog
):
    path = _feed_path(as_caseworker)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), None
    )
    record.request = f"<WSGIRequest: GET '{path}'>"
    SecretPathFilter().filter(record)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    assert secret not in record.getMessage()
    assert secret not in str(record.request)
    assert "/calendar/[redacted].ics" in record.getMessage()
