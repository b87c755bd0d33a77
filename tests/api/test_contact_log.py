"""The contact log: every attempt to reach a client, what it says about the route used, and the
24 hours in which an entry can still be put right."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casework.cases.models import ContactLogEntry
from casework.cases.services.contacts import contact_log
from casework.clients.services import DEAD_AFTER_FAILURES

from ..conftest import client_for
from ..editing import edit
from ..factories import CaseFactory, ContactMethodFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin")


@pytest.fixture
def mobile(case, caseworker):
    return ContactMethodFactory(
        client=case.client,
        created_by=caseworker,
        kind="mobile",
        value="07700 900123",
        safe_to_call=True,
        preferred=True,
    )


def url(case, entry_id=None) -> str:
    base = f"/api/v1/cases/{case.id}/contacts/"
    return f"{base}{entry_id}/" if entry_id else base


def call(method=None, **overrides) -> dict:
    body = {
        "occurred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "channel": "phone_call",
        "direction": "outbound",
        "outcome": "reached",
    }
    if method is not None:
        body["contact_method"] = str(method.id)
    body.update(overrides)
    return body


def log(api, case, method=None, **overrides):
    response = api.post(url(case), call(method, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def assert_validation_error(response, field):
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert body["request_id"]


# --- what an outcome does to the contact method -------------------------------------------


@pytest.mark.parametrize("outcome", ["reached", "met_in_person"])
def test_a_successful_contact_verifies_the_method_and_records_the_success(
    as_caseworker, case, mobile, outcome
):
    occurred = timezone.now() - timedelta(hours=2)
    body = log(as_caseworker, case, mobile, outcome=outcome, occurred_at=occurred.isoformat())
    assert body["contact_method"] == str(mobile.id)
    assert body["outcome"] == outcome
    mobile.refresh_from_db()
    assert mobile.status == "verified"
    assert mobile.last_success_at == occurred
    assert mobile.verified_at == occurred
    assert mobile.consecutive_failures == 0
    assert mobile.preferred is True


@pytest.mark.parametrize(
    "outcome,channel",
    [
        ("number_unavailable", "phone_call"),
        ("wrong_person", "phone_call"),
        ("email_bounced", "email"),
    ],
)
def test_repeated_failures_mark_the_method_failing_then_dead_and_no_longer_preferred(
    as_caseworker, case, mobile, outcome, channel
):
    assert DEAD_AFTER_FAILURES == 3
    for attempt in (1, 2):
        log(as_caseworker, case, mobile, outcome=outcome, channel=channel)
        mobile.refresh_from_db()
        assert (mobile.status, mobile.consecutive_failures) == ("failing", attempt)
        assert mobile.preferred is True
        assert mobile.last_failure_at is not None
    log(as_caseworker, case, mobile, outcome=outcome, channel=channel)
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures) == ("dead", 3)
    assert mobile.preferred is False
    shown = as_caseworker.get(f"/api/v1/clients/{case.client_id}/contact-methods/{mobile.id}/")
    assert shown.status_code == 200
    assert shown.json()["status"] == "dead"
    assert shown.json()["is_current"] is False
    assert shown.json()["preferred"] is False


def test_no_answer_says_nothing_about_the_route(as_caseworker, case, mobile):
    log(as_caseworker, case, mobile, outcome="no_answer")
    mobile.refresh_from_db()
    assert mobile.status == "unverified"
    assert mobile.consecutive_failures == 0
    assert mobile.last_success_at is None and mobile.last_failure_at is None
    assert mobile.verified_at is None

    log(as_caseworker, case, mobile, outcome="number_unavailable")
    mobile.refresh_from_db()
    before = (mobile.status, mobile.consecutive_failures, mobile.last_failure_at)
    log(as_caseworker, case, mobile, outcome="no_answer")
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures, mobile.last_failure_at) == before
    assert ContactLogEntry.objects.filter(case=case).count() == 3


def test_a_success_resets_the_failure_count(as_caseworker, case, mobile):
    for _ in range(2):
        log(as_caseworker, case, mobile, outcome="number_unavailable")
    log(as_caseworker, case, mobile, outcome="reached")
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures) == ("verified", 0)
    # Two failures after the success are two in a row, not four: still failing, not dead.
    for _ in range(2):
        log(as_caseworker, case, mobile, outcome="number_unavailable")
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures) == ("failing", 2)
    assert mobile.preferred is True


def test_a_contact_without_a_method_is_logged_and_touches_no_method(as_caseworker, case, mobile):
    body = log(as_caseworker, case, outcome="met_in_person", channel="outreach")
    assert body["contact_method"] is None
    mobile.refresh_from_db()
    assert mobile.status == "unverified"


# --- what is refused ----------------------------------------------------------------------


def test_a_contact_method_of_another_client_is_refused(as_caseworker, case, caseworker):
    other_case = CaseFactory(opened_by=caseworker, pseudonym="Someone else")
    theirs = ContactMethodFactory(client=other_case.client, kind="mobile", value="07700 900456")
    response = as_caseworker.post(url(case), call(theirs), format="json")
    assert_validation_error(response, "contact_method")
    assert not ContactLogEntry.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == "unverified" and theirs.last_success_at is None


def test_an_unknown_contact_method_is_refused(as_caseworker, case):
    body = call(contact_method="00000000-0000-0000-0000-000000000000")
    response = as_caseworker.post(url(case), body, format="json")
    assert_validation_error(response, "contact_method")
    assert not ContactLogEntry.objects.exists()


def test_a_contact_in_the_future_is_refused(as_caseworker, case, mobile):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    response = as_caseworker.post(url(case), call(mobile, occurred_at=future), format="json")
    assert_validation_error(response, "occurred_at")
    assert not ContactLogEntry.objects.exists()
    mobile.refresh_from_db()
    assert mobile.status == "unverified"


def test_a_duration_longer_than_a_day_is_refused(as_caseworker, case):
    response = as_caseworker.post(url(case), call(duration_minutes=1441), format="json")
    assert_validation_error(response, "duration_minutes")
    assert not ContactLogEntry.objects.exists()
    assert log(as_caseworker, case, duration_minutes=1440)["duration_minutes"] == 1440


# --- editing within 24 hours, and not after ------------------------------------------------


def test_note_and_duration_can_be_edited_within_24_hours(as_caseworker, case, mobile):
    entry = log(as_caseworker, case, mobile, note="Left no message", duration_minutes=2)
    assert entry["updated_at"] is None
    recorded_at = parse_datetime(entry["recorded_at"])
    assert parse_datetime(entry["editable_until"]) == recorded_at + timedelta(hours=24)
    with time_machine.travel(recorded_at + timedelta(hours=23)):
        api = client_for(as_caseworker.principal)
        response = edit(
            api,
            url(case, entry["id"]),
            {"note": "Spoke briefly", "duration_minutes": 7},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["note"] == "Spoke briefly"
    assert response.json()["duration_minutes"] == 7
    assert response.json()["updated_at"] is not None
    stored = ContactLogEntry.objects.get(pk=entry["id"])
    assert (stored.note, stored.duration_minutes) == ("Spoke briefly", 7)
    assert stored.outcome == "reached" and stored.recorded_at == recorded_at


def test_an_edit_may_not_change_the_outcome_or_the_time(as_caseworker, case):
    entry = log(as_caseworker, case)
    response = edit(
        as_caseworker,
        url(case, entry["id"]),
        {"outcome": "no_answer", "recorded_at": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert_validation_error(response, "outcome")
    assert "recorded_at" in response.json()["fields"]
    stored = ContactLogEntry.objects.get(pk=entry["id"])
    assert stored.outcome == "reached"


def test_an_edit_after_24_hours_is_refused_with_a_conflict(as_caseworker, case, mobile):
    entry = log(as_caseworker, case, mobile, note="Original", duration_minutes=3)
    recorded_at = parse_datetime(entry["recorded_at"])
    with time_machine.travel(recorded_at + timedelta(hours=24, minutes=1)):
        api = client_for(as_caseworker.principal)
        response = edit(api, url(case, entry["id"]), {"note": "Too late"}, format="json")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "edit_window_closed"
    assert body["message"] and body["request_id"]
    assert "fields" not in body
    stored = ContactLogEntry.objects.get(pk=entry["id"])
    assert (stored.note, stored.updated_at) == ("Original", None)


def _entry_recorded_25_hours_ago(case, user) -> ContactLogEntry:
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        return contact_log(
            case=case,
            recorded_by=user,
            occurred_at=timezone.now() - timedelta(minutes=5),
            channel="phone_call",
            direction="outbound",
            outcome="no_answer",
            note="Old entry",
        )


def test_the_database_refuses_to_update_an_entry_older_than_24_hours(case, caseworker):
    old = _entry_recorded_25_hours_ago(case, caseworker)
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ContactLogEntry.objects.filter(pk=old.pk).update(note=None)
    old.refresh_from_db()
    assert old.note == "Old entry"
    # A recent entry can still be updated, so it is the age the database refuses.
    recent = contact_log(
        case=case,
        recorded_by=caseworker,
        occurred_at=timezone.now(),
        channel="phone_call",
        direction="outbound",
        outcome="no_answer",
        note="Recent",
    )
    ContactLogEntry.objects.filter(pk=recent.pk).update(note=None)
    recent.refresh_from_db()
    assert recent.note is None


def test_the_database_refuses_to_move_an_entrys_recorded_time(case, caseworker):
    entry = log(client_for(caseworker), case)
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ContactLogEntry.objects.filter(pk=entry["id"]).update(
            recorded_at=timezone.now() + timedelta(days=1)
        )
    stored = ContactLogEntry.objects.get(pk=entry["id"])
    assert stored.recorded_at == parse_datetime(entry["recorded_at"])


@pytest.mark.parametrize("age_hours", [0, 25])
def test_the_database_refuses_to_delete_any_entry(case, caseworker, age_hours):
    if age_hours:
        entry = _entry_recorded_25_hours_ago(case, caseworker)
    else:
        entry = contact_log(
            case=case,
            recorded_by=caseworker,
            occurred_at=timezone.now(),
            channel="phone_call",
            direction="outbound",
            outcome="reached",
        )
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ContactLogEntry.objects.filter(pk=entry.pk).delete()
    assert ContactLogEntry.objects.filter(pk=entry.pk).exists()


def test_there_is_no_delete_route(as_caseworker, case):
    entry = log(as_caseworker, case)
    assert as_caseworker.delete(url(case, entry["id"])).status_code == 405
    assert ContactLogEntry.objects.filter(pk=entry["id"]).exists()


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_pointing_at_the_old_one_and_leaves_the_method_alone(
    as_caseworker, case, mobile
):
    original = log(as_caseworker, case, mobile, outcome="number_unavailable", note="Dead line")
    mobile.refresh_from_db()
    state = (mobile.status, mobile.consecutive_failures, mobile.last_failure_at)
    assert state[:2] == ("failing", 1)

    correction = log(
        as_caseworker,
        case,
        mobile,
        outcome="reached",
        note="Correction: they answered, I misread the screen",
        corrects=original["id"],
    )
    assert correction["id"] != original["id"]
    assert correction["corrects"] == original["id"]
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures, mobile.last_failure_at) == state
    assert mobile.last_success_at is None
    kept = ContactLogEntry.objects.get(pk=original["id"])
    assert (kept.outcome, kept.note, kept.corrects_id) == ("number_unavailable", "Dead line", None)
    listed = as_caseworker.get(url(case)).json()["results"]
    assert {row["id"] for row in listed} == {original["id"], correction["id"]}


def test_a_correction_of_another_cases_entry_is_refused(as_caseworker, case, caseworker):
    other_case = CaseFactory(opened_by=caseworker, pseudonym="Another client")
    theirs = log(as_caseworker, other_case)
    response = as_caseworker.post(url(case), call(corrects=theirs["id"]), format="json")
    assert_validation_error(response, "corrects")
    assert not ContactLogEntry.objects.filter(case=case).exists()


# --- who may see a case's contact log -----------------------------------------------------


def test_another_charitys_case_is_not_found(as_caseworker, other_charity):
    outsider = UserFactory(organisation=other_charity)
    their_case = CaseFactory(opened_by=outsider, pseudonym="Robin")
    entry = log(client_for(outsider), their_case, note="Theirs")
    assert as_caseworker.get(url(their_case)).status_code == 404
    assert as_caseworker.get(url(their_case, entry["id"])).status_code == 404
    assert as_caseworker.post(url(their_case), call(), format="json").status_code == 404
    patch = edit(as_caseworker, url(their_case, entry["id"]), {"note": "x"}, format="json")
    assert patch.status_code == 404
    assert patch.json()["code"] == "not_found"
    assert ContactLogEntry.objects.filter(case=their_case).count() == 1
    assert ContactLogEntry.objects.get(pk=entry["id"]).note == "Theirs"
    # Their supervisor is no better placed than anyone else outside the charity.
    assert client_for(SupervisorFactory()).get(url(their_case)).status_code == 404


def test_a_caseworker_not_assigned_to_the_case_gets_not_found(case, caseworker, charity):
    entry = log(client_for(caseworker), case, note="Private")
    colleague = client_for(UserFactory(organisation=charity))
    assert colleague.get(url(case)).status_code == 404
    assert colleague.get(url(case, entry["id"])).status_code == 404
    assert colleague.post(url(case), call(), format="json").status_code == 404
    assert edit(colleague, url(case, entry["id"]), {"note": "x"}, format="json").status_code == 404
    assert ContactLogEntry.objects.filter(case=case).count() == 1
    # The charity's supervisor sees every case of the charity.
    supervisor = client_for(SupervisorFactory(organisation=charity))
    assert supervisor.get(url(case)).status_code == 200
