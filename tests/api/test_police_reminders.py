"""A police officer's reminders about a shared case: what they say, and when they stop.

The police know a shared case by its share reference only. Nothing in a police reminder (its
JSON, its stored detail, its email, the daily digest) carries the charity's case reference or the
case's id, and an email about a share goes only if the share is still live for that officer when
it is sent. The clock starts on Monday 2 March 2026 at 10:00 GMT; mail is Django's test outbox,
the email tasks run here (tests/tasks/test_reminder_worker.py has them on a real worker)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.audit.models import AuditEvent
from casework.reminders.choices import ReminderKind
from casework.reminders.models import Reminder, ReminderPreference
from casework.reminders.notify import reminders_to_email
from casework.reminders.scan import run_scan
from casework.reminders.tasks import email_reminder, send_digest
from casework.sharing.models import SharedCase

from ..conftest import client_for
from ..factories import CaseFactory, ConsentDecisionFactory, SharedCaseFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, tzinfo=LONDON).astimezone(UTC)
OVERDUE = START + timedelta(days=29)  # the force's 28 days without an update have passed
REMINDERS = "/api/v1/reminders/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shared(clock, caseworker, police_liaison) -> dict:
    """A case shared (identified) with the officer's force, its police update overdue, and the
    officer's reminder about it; the officer wants an email each and a daily digest."""
    case = CaseFactory(opened_by=caseworker, pseudonym="Wren", support="active")
    share = SharedCaseFactory(
        case=case, police_force=police_liaison.organisation, review_date=date(2026, 4, 30)
    )
    ReminderPreference.objects.create(user=police_liaison, email_each=True, daily_digest=True)
    clock.move_to(OVERDUE)
    run_scan(now=OVERDUE)
    reminder = Reminder.objects.get(assignee=police_liaison)
    assert (reminder.kind, reminder.shared_case_id) == (
        ReminderKind.POLICE_UPDATE_OVERDUE,
        share.pk,
    )
    return {"case": case, "share": share, "reminder": reminder}


def charity_marks(case) -> list[str]:
    """Every way the charity's case could be named: its reference and its id, in any spelling."""
    return [case.reference, str(case.pk), case.pk.hex, str(case.pk).upper()]


def assert_nothing_of_the_case(text: str, case) -> None:
    for mark in charity_marks(case):
        assert mark not in text, f"{mark!r} found"


def end_share(case, caseworker, police_liaison) -> None:
    ConsentDecisionFactory(
        case=case,
        recorded_by=caseworker,
        scope="share_with_police",
        granted=False,
        police_force=police_liaison.organisation,
    )


# --- the API ----------------------------------------------------------------------------------


def test_a_police_reminder_shows_the_share_and_nothing_of_the_charitys_case(shared, police_liaison):
    case, share, reminder = shared["case"], shared["share"], shared["reminder"]
    api = client_for(police_liaison)
    until = (OVERDUE + timedelta(days=1)).isoformat()
    responses = [
        api.get(REMINDERS),
        api.get(REMINDERS, {"case": str(share.pk)}),
        api.get(f"{REMINDERS}{reminder.pk}/"),
        api.post(
            f"{REMINDERS}{reminder.pk}/snooze/",
            {"until": until, "reason": "Waiting on the CPS."},
            format="json",
        ),
        api.post(f"{REMINDERS}{reminder.pk}/complete/"),
        api.get(REMINDERS, {"status": "done"}),
    ]
    for response in responses:
        assert response.status_code == 200, response.json()
        body = response.content.decode()
        assert share.share_reference in body
        assert str(share.pk) in body
        assert_nothing_of_the_case(body, case)
    assert responses[2].json()["case"] == {"id": str(share.pk), "reference": share.share_reference}
    # What is stored for it names no case either: it is the officer's to read through the API.
    reminder.refresh_from_db()
    assert_nothing_of_the_case(str(reminder.detail), case)


def test_the_charitys_case_id_finds_no_police_reminder(shared, police_liaison):
    api = client_for(police_liaison)
    by_case = api.get(REMINDERS, {"case": str(shared["case"].pk), "status": ["open", "done"]})
    assert by_case.status_code == 200
    assert by_case.json()["results"] == []
    by_share = api.get(REMINDERS, {"case": str(shared["share"].pk)})
    assert [r["id"] for r in by_share.json()["results"]] == [str(shared["reminder"].pk)]


# --- email ------------------------------------------------------------------------------------


def test_a_police_reminder_email_names_the_share_reference_only(shared, police_liaison, mailoutbox):
    assert list(reminders_to_email()) == [shared["reminder"]]
    assert email_reminder(str(shared["reminder"].pk)) is True
    [email] = mailoutbox
    assert email.to == [police_liaison.email]
    assert f"shared case {shared['share'].share_reference}" in email.body
    assert_nothing_of_the_case(email.subject + email.body, shared["case"])
    assert "Wren" not in email.body


def test_the_daily_digest_names_the_share_reference_only(shared, police_liaison, mailoutbox):
    assert send_digest(str(police_liaison.pk), OVERDUE.date().isoformat()) is True
    [email] = mailoutbox
    assert shared["share"].share_reference in email.body
    assert_nothing_of_the_case(email.subject + email.body, shared["case"])


def _withdrawn(clock, shared, caseworker, police_liaison) -> None:
    end_share(shared["case"], caseworker, police_liaison)


def _review_lapsed(clock, shared, caseworker, police_liaison) -> None:
    """The consent's review date passes; the share's status has not yet been swept."""
    clock.move_to(datetime(2026, 5, 1, 10, tzinfo=LONDON))
    assert SharedCase.objects.get(pk=shared["share"].pk).status == "active"


@pytest.mark.parametrize("share_goes", [_withdrawn, _review_lapsed])
def test_an_email_about_a_share_no_longer_live_is_not_sent_and_not_retried(
    clock, shared, caseworker, police_liaison, mailoutbox, share_goes
):
    reminder = shared["reminder"]
    assert list(reminders_to_email()) == [reminder]  # queued while the share was live
    share_goes(clock, shared, caseworker, police_liaison)

    outcome = email_reminder.apply(args=[str(reminder.pk)])
    assert (outcome.state, outcome.result) == ("SUCCESS", False)
    assert mailoutbox == []
    reminder.refresh_from_db()
    assert reminder.emailed_at is None
    assert email_reminder(str(reminder.pk)) is False
    assert mailoutbox == []


def test_the_digest_leaves_out_a_share_that_has_ended(
    clock, shared, caseworker, police_liaison, mailoutbox
):
    end_share(shared["case"], caseworker, police_liaison)
    assert send_digest(str(police_liaison.pk), OVERDUE.date().isoformat()) is False
    assert mailoutbox == []


def test_an_officer_handling_a_reminder_is_the_charitys_record_not_the_forces(
    shared, police_liaison, caseworker
):
    case, reminder = shared["case"], shared["reminder"]
    api = client_for(police_liaison)
    until = (OVERDUE + timedelta(days=1)).isoformat()
    api.post(f"{REMINDERS}{reminder.pk}/snooze/", {"until": until, "reason": "CPS."}, format="json")
    api.post(f"{REMINDERS}{reminder.pk}/complete/")
    handled = AuditEvent.objects.filter(action__in=["reminder.snooze", "reminder.complete"])
    assert handled.count() == 2
    for event in handled:
        assert event.chain == str(caseworker.organisation_id)
        assert event.actor_organisation_id == police_liaison.organisation_id
        assert event.case_id == case.pk
    force_chain = AuditEvent.objects.filter(chain=str(police_liaison.organisation_id))
    assert not force_chain.filter(case_id=case.pk).exists()
