"""Every reminder rule, through the scan, with the clock frozen and moved by hand.

Each rule is driven through ``run_scan(now=...)`` exactly as the periodic task drives it; every
due moment below is worked out by hand from the calendar and the UK clock changes (British Summer
Time began on Sunday 29 March 2026 and ends on Sunday 25 October 2026), never by the code under
test. The clock starts on Monday 2 March 2026 at 10:00 GMT."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from casework.cases.models import Case
from casework.clients.services import (
    contact_method_add,
    contact_method_retire,
    contact_method_verify,
)
from casework.court.services import court_event_update
from casework.reminders.choices import ACTIVE_STATUSES, ReminderKind, ReminderStatus
from casework.reminders.models import Reminder, ReminderPolicy
from casework.reminders.scan import run_scan
from casework.sharing.services import police_update_post

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
K = ReminderKind
REMINDERS = "/api/v1/reminders/"
POLICY = "/api/v1/reminder-policy/"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A UK wall-clock moment (GMT or BST, whichever was in force)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Monday 2 March 2026, 10:00 GMT. Windows counted in days are whole 24-hour days, so the
# arithmetic on START is done in UTC (a day added to a UK wall-clock time across a clock change
# would be 23 or 25 hours).
START = at(2026, 3, 2).astimezone(UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any other fixture creates anyone, so every row starts at START."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- set-up -----------------------------------------------------------------------------------


def open_case(caseworker, *, active: bool = True, pseudonym: str = "Wren", **options) -> Case:
    """A case opened now by the caseworker (so assigned to them), its client reachable on one
    unverified mobile. ``active`` moves support from referred to active."""
    return CaseFactory(
        opened_by=caseworker,
        pseudonym=pseudonym,
        reachable=True,
        support="active" if active else None,
        **options,
    )


def mobile_of(case: Case):
    return case.client.contact_methods.get(kind="mobile")


def log(case: Case, outcome: str, *, direction: str = "outbound", method=None, by=None):
    """A phone call logged as happening now, on the client's mobile unless said."""
    return ContactLogEntryFactory(
        case=case,
        recorded_by=by or case.created_by,
        direction=direction,
        outcome=outcome,
        contact_method=method if method is not None else mobile_of(case),
    )


def scan(clock, moment: datetime, kinds: list[str] | None = None):
    clock.move_to(moment)
    return run_scan(now=moment, kinds=kinds)


def active(kind: str, case: Case | None = None, **filters) -> list[Reminder]:
    """Open or snoozed reminders of a kind, soonest due first."""
    rows = Reminder.objects.filter(kind=kind, status__in=ACTIVE_STATUSES, **filters)
    if case is not None:
        rows = rows.filter(case=case)
    return list(rows.order_by("due_at", "assignee__username"))


def status_of(reminder: Reminder) -> str:
    reminder.refresh_from_db()
    return reminder.status


def set_policy(supervisor, **values) -> dict:
    response = client_for(supervisor).patch(POLICY, values, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def listed(user, **query) -> list[dict]:
    response = client_for(user).get(REMINDERS, query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


# --- re-verifying contact details -----------------------------------------------------------


def test_a_client_never_verified_is_flagged_once_the_window_from_the_case_opening_passes(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=14) - MINUTE)
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, START + timedelta(days=14) + MINUTE)
    [reminder] = active(K.REVERIFY_CONTACT, case)
    assert reminder.assignee == caseworker
    assert reminder.organisation == caseworker.organisation
    assert reminder.due_at == START + timedelta(days=14)
    assert reminder.status == ReminderStatus.OPEN


def test_re_verifying_a_contact_method_cancels_the_open_reminder_at_the_next_scan(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=15))
    [stale] = active(K.REVERIFY_CONTACT, case)

    verified_at = START + timedelta(days=16)
    clock.move_to(verified_at)
    contact_method_verify(method=mobile_of(case), verified_by=caseworker)
    scan(clock, verified_at + timedelta(hours=1))
    assert status_of(stale) == ReminderStatus.CANCELLED
    assert active(K.REVERIFY_CONTACT, case) == []

    # The window starts again from the verification.
    scan(clock, verified_at + timedelta(days=14) - MINUTE)
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, verified_at + timedelta(days=14) + MINUTE)
    [again] = active(K.REVERIFY_CONTACT, case)
    assert again.pk != stale.pk
    assert again.due_at == verified_at + timedelta(days=14)


def test_any_method_verified_within_the_window_keeps_the_client_current(clock, caseworker):
    case = open_case(caseworker)
    clock.move_to(START + timedelta(days=10))
    email = contact_method_add(
        client=case.client, created_by=caseworker, kind="email", value="wren@example.net"
    )
    contact_method_verify(method=email, verified_by=caseworker)
    scan(clock, START + timedelta(days=20))
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, START + timedelta(days=24) + MINUTE)
    [reminder] = active(K.REVERIFY_CONTACT, case)
    assert reminder.due_at == START + timedelta(days=24)


# --- no recent contact ------------------------------------------------------------------------


def test_an_active_client_nobody_has_reached_is_flagged_when_the_window_passes(clock, caseworker):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=10) - MINUTE)
    assert active(K.NO_RECENT_CONTACT, case) == []
    scan(clock, START + timedelta(days=10) + MINUTE)
    [reminder] = active(K.NO_RECENT_CONTACT, case)
    assert reminder.assignee == caseworker
    assert reminder.due_at == START + timedelta(days=10)


def test_a_case_not_in_active_support_is_not_flagged_for_silence(clock, caseworker):
    referred = open_case(caseworker, active=False)
    scan(clock, START + timedelta(days=30))
    assert active(K.NO_RECENT_CONTACT, referred) == []


def test_reaching_the_client_cancels_the_reminder_and_an_unanswered_call_does_not(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=11))
    [reminder] = active(K.NO_RECENT_CONTACT, case)

    clock.move_to(START + timedelta(days=11, hours=1))
    log(case, "no_answer")
    scan(clock, START + timedelta(days=11, hours=2))
    assert status_of(reminder) == ReminderStatus.OPEN

    reached_at = START + timedelta(days=11, hours=3)
    clock.move_to(reached_at)
    log(case, "reached")
    scan(clock, reached_at + timedelta(minutes=5))
    assert status_of(reminder) == ReminderStatus.CANCELLED
    assert active(K.NO_RECENT_CONTACT, case) == []

    scan(clock, reached_at + timedelta(days=10) + MINUTE)
    [next_one] = active(K.NO_RECENT_CONTACT, case)
    assert next_one.due_at == reached_at + timedelta(days=10)


# --- repeated failed attempts -----------------------------------------------------------------


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


def fail(clock, case, times: int, start: datetime, outcome: str = "no_answer") -> datetime:
    moment = start
    for n in range(times):
        moment = start + timedelta(hours=n)
        clock.move_to(moment)
        log(case, outcome)
    return moment


def test_three_failed_attempts_in_a_row_ask_every_active_supervisor_to_try_other_routes(
    clock, escalation, caseworker
):
    case = escalation["case"]
    last = fail(clock, case, 3, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    reminders = active(K.CONTACT_FAILURES, case)
    assert sorted(r.assignee_id for r in reminders) == sorted(
        s.pk for s in escalation["supervisors"]
    )
    assert all(r.organisation == caseworker.organisation for r in reminders)
    assert not active(K.CONTACT_FAILURES, assignee=caseworker)

    supervisor = escalation["supervisors"][0]
    [row] = listed(supervisor, kind="contact_failures", mine="true")
    assert row["case"]["reference"] == case.reference
    assert {route["id"] for route in row["other_routes"]} == {
        str(pk) for pk in escalation["routes"]
    }
    assert {route["kind"] for route in row["other_routes"]} == {"third_party", "outreach_location"}
    assert "Sister, Jo" in {route["third_party_name"] for route in row["other_routes"]}
    assert datetime.fromisoformat(row["last_successful_contact"]) == escalation["reached_at"]

    # Scanning again while the failures stand changes nothing.
    scan(clock, last + timedelta(hours=2))
    assert Reminder.objects.filter(kind=K.CONTACT_FAILURES).count() == 2


def test_two_failures_are_not_an_escalation_and_a_success_starts_the_count_again(clock, escalation):
    case = escalation["case"]
    last = fail(clock, case, 2, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    assert active(K.CONTACT_FAILURES, case) == []

    clock.move_to(last + timedelta(hours=1))
    log(case, "reached", direction="inbound")
    last = fail(clock, case, 2, last + timedelta(hours=2))
    scan(clock, last + MINUTE)
    assert active(K.CONTACT_FAILURES, case) == []

    last = fail(clock, case, 1, last + timedelta(hours=1))
    scan(clock, last + MINUTE)
    assert len(active(K.CONTACT_FAILURES, case)) == 2


def test_reaching_the_client_after_an_escalation_cancels_it(clock, escalation):
    case = escalation["case"]
    last = fail(clock, case, 3, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    escalated = active(K.CONTACT_FAILURES, case)
    assert len(escalated) == 2

    clock.move_to(last + timedelta(hours=1))
    log(case, "met_in_person")
    scan(clock, last + timedelta(hours=2))
    assert [status_of(r) for r in escalated] == [ReminderStatus.CANCELLED] * 2
    assert active(K.CONTACT_FAILURES, case) == []


# --- court dates ------------------------------------------------------------------------------


def court(case: Case) -> list[Reminder]:
    return active(K.COURT_DATE, case)


def test_court_reminders_keep_uk_time_across_the_start_of_british_summer_time(clock, caseworker):
    case = open_case(caseworker)
    # Monday 30 March 2026 at 10:00 BST (09:00 UTC), the day after the clocks went forward.
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    assert event.starts_at == utc(2026, 3, 30, 9)

    scan(clock, at(2026, 3, 23, 9, 59))
    assert court(case) == []
    # Seven days before at the same UK wall-clock time: Monday 23 March, 10:00 GMT.
    scan(clock, at(2026, 3, 23, 10, 0))
    [week] = court(case)
    assert week.due_at == utc(2026, 3, 23, 10)
    assert week.assignee == caseworker

    # The working day before at 09:00 UK time: Friday 27 March, 09:00 GMT.
    scan(clock, at(2026, 3, 27, 8, 59))
    assert court(case) == [week]
    scan(clock, at(2026, 3, 27, 9, 0))
    first, last = court(case)
    assert first == week
    assert last.due_at == utc(2026, 3, 27, 9)
    assert last.assignee == caseworker


def test_court_reminders_keep_uk_time_across_the_return_to_greenwich_mean_time(clock, caseworker):
    clock.move_to(at(2026, 10, 1))
    case = open_case(caseworker)
    # Monday 26 October 2026 at 10:00 GMT, the day after the clocks went back.
    event = CourtEventFactory(case=case, starts_at=at(2026, 10, 26, 10))
    assert event.starts_at == utc(2026, 10, 26, 10)

    # Seven days before: Monday 19 October, 10:00 BST = 09:00 UTC.
    scan(clock, utc(2026, 10, 19, 8, 59))
    assert court(case) == []
    scan(clock, utc(2026, 10, 19, 9, 0))
    [week] = court(case)
    assert week.due_at == utc(2026, 10, 19, 9)

    # The working day before: Friday 23 October, 09:00 BST = 08:00 UTC.
    scan(clock, utc(2026, 10, 23, 7, 59))
    assert court(case) == [week]
    scan(clock, utc(2026, 10, 23, 8, 0))
    _, last = court(case)
    assert last.due_at == utc(2026, 10, 23, 8)


def test_the_working_day_before_skips_the_easter_bank_holidays(clock, caseworker):
    case = open_case(caseworker)
    # Tuesday 7 April 2026; Good Friday (3 April) and Easter Monday (6 April) are bank holidays,
    # so the working day before is Thursday 2 April: 09:00 BST = 08:00 UTC.
    CourtEventFactory(case=case, starts_at=at(2026, 4, 7, 10))
    scan(clock, utc(2026, 4, 2, 7, 59))
    assert [r.due_at for r in court(case)] == [utc(2026, 3, 31, 9)]  # 31 March 10:00 BST
    scan(clock, utc(2026, 4, 2, 8, 0))
    assert [r.due_at for r in court(case)] == [utc(2026, 3, 31, 9), utc(2026, 4, 2, 8)]


def test_a_moved_hearing_cancels_the_old_reminders_and_makes_new_ones(clock, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    scan(clock, at(2026, 3, 23, 10))
    [old] = court(case)

    # Brought forward to Wednesday 25 March at 14:00 GMT.
    clock.move_to(at(2026, 3, 23, 11))
    court_event_update(
        event=event,
        actor=caseworker,
        starts_at=at(2026, 3, 25, 14),
        date_change_reason="Relisted by the court.",
    )
    scan(clock, at(2026, 3, 23, 11))
    assert status_of(old) == ReminderStatus.CANCELLED
    [week] = court(case)
    assert week.due_at == utc(2026, 3, 18, 14)  # seven days before the new date: already due
    assert week.pk != old.pk

    scan(clock, at(2026, 3, 24, 9))
    week_again, last = court(case)
    assert week_again == week
    assert last.due_at == utc(2026, 3, 24, 9)  # Tuesday, the working day before
    assert status_of(old) == ReminderStatus.CANCELLED


def test_a_vacated_hearing_cancels_its_reminders(clock, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    scan(clock, at(2026, 3, 27, 9, 30))
    reminders = court(case)
    assert len(reminders) == 2

    court_event_update(event=event, actor=caseworker, status="vacated")
    scan(clock, at(2026, 3, 27, 10))
    assert [status_of(r) for r in reminders] == [ReminderStatus.CANCELLED] * 2
    assert court(case) == []


def test_staff_attending_the_hearing_are_reminded_instead_of_the_caseworker(
    clock, caseworker, isva
):
    case = open_case(caseworker, assigned_to=[isva])
    CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10), attendees=[isva])
    scan(clock, at(2026, 3, 27, 9))
    assert {r.assignee for r in court(case)} == {isva}


# --- consent reviews --------------------------------------------------------------------------


def test_a_consent_review_date_within_the_lead_days_raises_a_reminder(clock, caseworker):
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 24, 12))
    assert active(K.CONSENT_REVIEW, case) == []
    scan(clock, at(2026, 3, 25, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)
    assert reminder.assignee == caseworker
    assert reminder.due_at == at(2026, 3, 25, 9)  # seven days before, 09:00 UK time


def test_renewing_the_consent_cancels_the_review_reminder(clock, caseworker):
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 26, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)

    clock.move_to(at(2026, 3, 26, 11))
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 9, 30))
    scan(clock, at(2026, 3, 26, 12))
    assert status_of(reminder) == ReminderStatus.CANCELLED
    assert active(K.CONSENT_REVIEW, case) == []


# --- police updates on shared cases -----------------------------------------------------------


@pytest.fixture
def force(db):
    return PoliceForceFactory()


@pytest.fixture
def liaisons(force):
    """Two active liaison officers of the force, one who has left, and one of another force."""
    PoliceLiaisonFactory(organisation=force, is_active=False)
    PoliceLiaisonFactory(organisation=PoliceForceFactory())
    return [PoliceLiaisonFactory(organisation=force), PoliceLiaisonFactory(organisation=force)]


def test_an_identified_share_without_a_police_update_reminds_each_liaison_of_the_force(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=28) - MINUTE)
    assert active(K.POLICE_UPDATE_OVERDUE) == []
    scan(clock, START + timedelta(days=28) + MINUTE)
    reminders = active(K.POLICE_UPDATE_OVERDUE)
    assert sorted(r.assignee_id for r in reminders) == sorted(u.pk for u in liaisons)
    assert {(r.organisation_id, r.shared_case_id, r.case_id) for r in reminders} == {
        (force.pk, share.pk, case.pk)
    }
    assert {r.due_at for r in reminders} == {START + timedelta(days=28)}

    # The officer sees it under the share reference, never the charity's case reference.
    officer = liaisons[0]
    response = client_for(officer).get(REMINDERS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["kind"] == "police_update_overdue"
    assert row["case"] == {"id": str(share.pk), "reference": share.share_reference}
    assert case.reference not in response.content.decode()
    # The other officer's reminder is theirs alone.
    theirs = next(r for r in reminders if r.assignee_id != officer.pk)
    assert client_for(officer).get(f"{REMINDERS}{theirs.pk}/").status_code == 404


def test_a_police_update_cancels_the_overdue_reminder(clock, caseworker, force, liaisons):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    overdue = active(K.POLICE_UPDATE_OVERDUE)
    assert len(overdue) == 2

    updated_at = START + timedelta(days=29, hours=1)
    clock.move_to(updated_at)
    police_update_post(
        shared_case=share, author=liaisons[0], kind="investigation", body="File sent to the CPS."
    )
    scan(clock, updated_at + MINUTE)
    assert [status_of(r) for r in overdue] == [ReminderStatus.CANCELLED] * 2
    assert active(K.POLICE_UPDATE_OVERDUE) == []

    scan(clock, updated_at + timedelta(days=28) + MINUTE)
    assert {r.due_at for r in active(K.POLICE_UPDATE_OVERDUE)} == {updated_at + timedelta(days=28)}


def test_the_share_ending_hides_the_reminder_at_once_and_the_next_scan_cancels_it(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    officer = liaisons[0]
    [mine] = active(K.POLICE_UPDATE_OVERDUE, assignee=officer)
    assert client_for(officer).get(f"{REMINDERS}{mine.pk}/").status_code == 200

    clock.move_to(START + timedelta(days=29, hours=1))
    ConsentDecisionFactory(case=case, scope="share_with_police", granted=False, police_force=force)
    # Before any scan: the reminder is as unknown to the officer as the share itself.
    api = client_for(officer)
    assert api.get(f"{REMINDERS}{mine.pk}/").status_code == 404
    assert api.post(f"{REMINDERS}{mine.pk}/complete/").status_code == 404
    assert api.get(REMINDERS).json()["results"] == []

    scan(clock, START + timedelta(days=29, hours=2))
    assert status_of(mine) == ReminderStatus.CANCELLED
    assert active(K.POLICE_UPDATE_OVERDUE) == []
    assert client_for(officer).get(f"{REMINDERS}{mine.pk}/").status_code == 404


def test_a_share_granted_again_is_reminded_about_from_its_own_start(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    first = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    old = active(K.POLICE_UPDATE_OVERDUE)
    assert {r.shared_case_id for r in old} == {first.pk}

    regranted_at = START + timedelta(days=29, hours=1)
    clock.move_to(regranted_at)
    ConsentDecisionFactory(case=case, scope="share_with_police", granted=False, police_force=force)
    second = SharedCaseFactory(case=case, police_force=force)
    assert second.pk != first.pk
    scan(clock, regranted_at + MINUTE)
    assert [status_of(r) for r in old] == [ReminderStatus.CANCELLED] * 2
    assert active(K.POLICE_UPDATE_OVERDUE) == []

    scan(clock, regranted_at + timedelta(days=28) + MINUTE)
    reminders = active(K.POLICE_UPDATE_OVERDUE)
    assert {(r.shared_case_id, r.due_at) for r in reminders} == {
        (second.pk, regranted_at + timedelta(days=28))
    }
    [row] = client_for(liaisons[0]).get(REMINDERS).json()["results"]
    assert row["case"] == {"id": str(second.pk), "reference": second.share_reference}


def test_an_anonymous_share_never_asks_for_police_updates(clock, caseworker, force, liaisons):
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force, level="anonymous")
    scan(clock, START + timedelta(days=60))
    assert active(K.POLICE_UPDATE_OVERDUE) == []


# --- each charity's own windows ---------------------------------------------------------------


def test_a_supervisors_windows_change_when_their_charity_is_reminded_and_no_other(
    clock, caseworker, supervisor, other_charity
):
    body = set_policy(supervisor, reverify_after_days=5, no_contact_after_days=3)
    assert body["reverify_after_days"] == 5
    assert body["no_contact_after_days"] == 3
    assert ReminderPolicy.objects.get(organisation=supervisor.organisation).updated_by == supervisor
    ours = open_case(caseworker)
    theirs = open_case(UserFactory(organisation=other_charity))

    scan(clock, START + timedelta(days=3) + MINUTE)
    assert [r.due_at for r in active(K.NO_RECENT_CONTACT, ours)] == [START + timedelta(days=3)]
    assert active(K.REVERIFY_CONTACT, ours) == []
    assert active(K.NO_RECENT_CONTACT, theirs) == []

    scan(clock, START + timedelta(days=5) + MINUTE)
    assert [r.due_at for r in active(K.REVERIFY_CONTACT, ours)] == [START + timedelta(days=5)]
    assert active(K.REVERIFY_CONTACT, theirs) == []

    scan(clock, START + timedelta(days=10) + MINUTE)
    assert [r.due_at for r in active(K.NO_RECENT_CONTACT, theirs)] == [START + timedelta(days=10)]
    assert active(K.REVERIFY_CONTACT, theirs) == []


def test_a_lower_escalation_threshold_escalates_sooner(clock, escalation, supervisor):
    set_policy(supervisor, failures_before_escalation=2)
    case = escalation["case"]
    last = fail(clock, case, 2, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    assert len(active(K.CONTACT_FAILURES, case)) == 2


def test_the_charitys_court_reminder_days_decide_both_court_reminders(
    clock, caseworker, supervisor
):
    set_policy(supervisor, court_reminder_days_before=3, court_reminder_working_days_before=2)
    case = open_case(caseworker)
    CourtEventFactory(case=case, starts_at=at(2026, 3, 16, 10))  # Monday 16 March, 10:00 GMT
    scan(clock, at(2026, 3, 9, 10))  # seven days before: nothing under this charity's policy
    assert court(case) == []
    scan(clock, at(2026, 3, 13, 10))
    assert [r.due_at for r in court(case)] == [
        utc(2026, 3, 12, 9),  # two working days before: Thursday 12 March, 09:00
        utc(2026, 3, 13, 10),  # three days before: Friday 13 March, 10:00
    ]


def test_a_longer_consent_review_lead_reminds_sooner(clock, caseworker, supervisor):
    set_policy(supervisor, consent_review_lead_days=14)
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 18, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)
    assert reminder.due_at == at(2026, 3, 18, 9)


def test_the_charitys_police_update_window_decides_when_the_force_is_reminded(
    clock, caseworker, supervisor, force, liaisons
):
    set_policy(supervisor, police_update_overdue_days=14)
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=14) + MINUTE)
    assert {r.due_at for r in active(K.POLICE_UPDATE_OVERDUE)} == {START + timedelta(days=14)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reverify_after_days", 0),
        ("no_contact_after_days", -3),
        ("failures_before_escalation", 0),
        ("court_reminder_days_before", -7),
        ("court_reminder_working_days_before", 0),
        ("consent_review_lead_days", -1),
        ("police_update_overdue_days", 0),
    ],
)
def test_zero_or_negative_days_are_refused_and_change_nothing(supervisor, field, value):
    api = client_for(supervisor)
    before = api.get(POLICY).json()
    response = api.patch(POLICY, {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert api.get(POLICY).json()[field] == before[field]
    assert not ReminderPolicy.objects.filter(organisation=supervisor.organisation).exists()


def test_only_a_supervisor_may_change_the_windows(caseworker, supervisor):
    response = client_for(caseworker).patch(POLICY, {"reverify_after_days": 30}, format="json")
    assert response.status_code == 403
    assert client_for(caseworker).get(POLICY).json()["reverify_after_days"] == 14


# --- working reminders: snooze and complete ---------------------------------------------------


@pytest.fixture
def reminder(clock, caseworker) -> Reminder:
    """An open no-contact reminder of the caseworker, due 10 days after START."""
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=10, hours=1))
    [reminder] = active(K.NO_RECENT_CONTACT, case)
    return reminder


def test_a_snoozed_reminder_reopens_when_its_time_passes(clock, caseworker, reminder):
    now = START + timedelta(days=10, hours=1)
    until = now + timedelta(days=2)
    response = client_for(caseworker).post(
        f"{REMINDERS}{reminder.pk}/snooze/",
        {"until": until.isoformat(), "reason": "Client is in hospital until Thursday."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "snoozed"
    assert datetime.fromisoformat(response.json()["snoozed_until"]) == until

    scan(clock, now + timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SNOOZED
    assert reminder.snoozed_until == until

    scan(clock, until + MINUTE)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.OPEN
    assert reminder.snoozed_until is None
    [row] = listed(caseworker, status="open")
    assert row["id"] == str(reminder.pk)


def test_snoozing_into_the_past_is_refused(caseworker, reminder):
    response = client_for(caseworker).post(
        f"{REMINDERS}{reminder.pk}/snooze/",
        {"until": (timezone.now() - timedelta(hours=1)).isoformat(), "reason": "Oops."},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "until" in response.json()["fields"]
    assert status_of(reminder) == ReminderStatus.OPEN


def test_completing_someone_elses_reminder_is_not_found(caseworker, reminder, charity):
    colleague = UserFactory(organisation=charity)
    response = client_for(colleague).post(f"{REMINDERS}{reminder.pk}/complete/")
    assert response.status_code == 404
    assert status_of(reminder) == ReminderStatus.OPEN


def test_completing_twice_is_a_conflict(caseworker, reminder):
    api = client_for(caseworker)
    first = api.post(f"{REMINDERS}{reminder.pk}/complete/")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "done"
    second = api.post(f"{REMINDERS}{reminder.pk}/complete/")
    assert second.status_code == 409
    assert second.json()["code"] == "reminder_closed"
    reminder.refresh_from_db()
    assert reminder.completed_by == caseworker


def test_a_supervisor_may_complete_a_caseworkers_reminder(caseworker, supervisor, reminder):
    response = client_for(supervisor).post(f"{REMINDERS}{reminder.pk}/complete/")
    assert response.status_code == 200, response.json()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.completed_by) == (ReminderStatus.DONE, supervisor)


def test_a_completed_reminder_stays_done_while_its_reason_lasts(clock, caseworker, reminder):
    client_for(caseworker).post(f"{REMINDERS}{reminder.pk}/complete/")
    scan(clock, START + timedelta(days=11))
    assert status_of(reminder) == ReminderStatus.DONE
    assert Reminder.objects.filter(kind=K.NO_RECENT_CONTACT).count() == 1


# --- the scan is idempotent -------------------------------------------------------------------

SCAN_AT = at(2026, 4, 1, 12)  # Wednesday 1 April 2026, 12:00 BST
EXPECTED = Counter(
    {
        K.REVERIFY_CONTACT: 1,
        K.NO_RECENT_CONTACT: 1,
        K.CONTACT_FAILURES: 2,  # one for each supervisor
        K.COURT_DATE: 2,  # seven days before and the working day before
        K.CONSENT_REVIEW: 1,
        K.POLICE_UPDATE_OVERDUE: 1,
    }
)


@pytest.fixture
def everything_due(clock, caseworker, supervisor, charity, force):
    """A case for which every rule has a reminder due at SCAN_AT."""
    SupervisorFactory(organisation=charity)
    PoliceLiaisonFactory(organisation=force)
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 5))
    ConsentDecisionFactory(case=case, scope="share_with_police", police_force=force)
    CourtEventFactory(case=case, starts_at=at(2026, 4, 2, 10))
    fail(clock, case, 3, START + timedelta(days=1))
    return case


def rows() -> set[tuple]:
    return set(
        Reminder.objects.values_list(
            "kind", "dedup_key", "case_id", "assignee_id", "due_at", "status"
        )
    )


def assert_each_reminder_once() -> None:
    assert Counter(Reminder.objects.values_list("kind", flat=True)) == EXPECTED
    reasons = Reminder.objects.values_list("kind", "case_id", "assignee_id", "due_at")
    assert len(set(reasons)) == len(reasons)


def test_scanning_twice_gives_the_same_rows(clock, everything_due):
    first = scan(clock, SCAN_AT)
    assert {kind: result.created for kind, result in first.items()} == EXPECTED
    before = rows()
    second = scan(clock, SCAN_AT)
    assert {kind: result.created for kind, result in second.items() if result.created} == {}
    assert {kind: result.cancelled for kind, result in second.items() if result.cancelled} == {}
    assert rows() == before
    assert_each_reminder_once()


def test_a_scan_killed_halfway_and_run_again_makes_each_reminder_once(clock, everything_due):
    scan(clock, SCAN_AT, kinds=[K.REVERIFY_CONTACT, K.NO_RECENT_CONTACT, K.CONTACT_FAILURES])
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        K.REVERIFY_CONTACT,
        K.NO_RECENT_CONTACT,
        K.CONTACT_FAILURES,
    }
    partial = rows()
    scan(clock, SCAN_AT + MINUTE)
    assert partial <= rows()
    assert_each_reminder_once()
