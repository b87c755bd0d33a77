"""Reminders follow access: someone taken off a case stops seeing its reminders at once, their
open and snoozed ones go to the case's next person in the same transaction (a supervisor when
nobody is left), and the next scan neither cancels a reminder handed over, nor makes it again,
nor gives it back. The reminder list leaves cancelled reminders out unless asked, and the
escalation's other routes are only those the caller may see.

Reminders are made by the scan (``run_scan``), as the periodic task makes them; everything else
goes through the API as the people concerned. The clock starts on Monday 2 March 2026 at 10:00
GMT."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseAssignment
from casework.cases.services.cases import case_assign, case_unassign
from casework.core.errors import Conflict
from casework.reminders.choices import ACTIVE_STATUSES, ReminderKind, ReminderStatus
from casework.reminders.messages import message_plan
from casework.reminders.models import Reminder, ReminderPreference
from casework.reminders.notify import reminders_to_email
from casework.reminders.scan import run_scan
from casework.reminders.tasks import email_reminder, send_message

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    ClientFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    OrganisationFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, tzinfo=LONDON).astimezone(UTC)
K = ReminderKind
REMINDERS = "/api/v1/reminders/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- set-up -----------------------------------------------------------------------------------


def open_case(caseworker, *, assigned_to=(), pseudonym: str = "Wren") -> Case:
    """A case opened now by the caseworker (so theirs), in active support, its client on one
    unverified mobile that is safe to text."""
    return CaseFactory(
        opened_by=caseworker,
        assigned_to=list(assigned_to),
        pseudonym=pseudonym,
        reachable=True,
        support="active",
    )


def scan(clock, moment: datetime):
    clock.move_to(moment)
    return run_scan(now=moment)


def active(case: Case, kind: str | None = None) -> list[Reminder]:
    rows = Reminder.objects.filter(case=case, status__in=ACTIVE_STATUSES)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("kind", "due_at"))


def holders(case: Case) -> dict[str, set]:
    """Kind -> who holds an open or snoozed reminder of it on the case."""
    held: dict[str, set] = {}
    for reminder in active(case):
        held.setdefault(reminder.kind, set()).add(reminder.assignee_id)
    return held


def listed(user, **query) -> list[dict]:
    response = client_for(user).get(REMINDERS, query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def unassign(supervisor, case: Case, person):
    response = client_for(supervisor).post(
        f"/api/v1/cases/{case.pk}/unassign/", {"user": str(person.pk)}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response


def rows_now() -> set[tuple]:
    return set(
        Reminder.objects.values_list("id", "kind", "dedup_key", "assignee_id", "status", "due_at")
    )


# Fifteen days on: the client has been neither verified (14 days) nor reached (10 days).
DAY_15 = START + timedelta(days=15)
LATER = DAY_15 + timedelta(hours=6)


# --- what a caseworker sees -------------------------------------------------------------------


def test_a_caseworker_taken_off_a_case_no_longer_sees_its_reminders_even_done_ones(
    clock, caseworker, isva, supervisor
):
    case = open_case(caseworker, assigned_to=[isva])
    scan(clock, DAY_15)
    no_contact = active(case, K.NO_RECENT_CONTACT)[0]
    api = client_for(caseworker)
    assert api.post(f"{REMINDERS}{no_contact.pk}/complete/").status_code == 200
    assert [r["id"] for r in listed(caseworker, status="done")] == [str(no_contact.pk)]

    unassign(supervisor, case, caseworker)

    # A done reminder is not handed over (nothing is left to do), but it is no longer theirs to
    # read: the case is not theirs any more.
    assert listed(caseworker, status=["open", "snoozed", "done", "cancelled"]) == []
    assert api.get(f"{REMINDERS}{no_contact.pk}/").status_code == 404
    no_contact.refresh_from_db()
    assert (no_contact.assignee, no_contact.status) == (caseworker, ReminderStatus.DONE)
    # The supervisor still sees every reminder of the charity.
    assert client_for(supervisor).get(f"{REMINDERS}{no_contact.pk}/").status_code == 200


# --- handing over ----------------------------------------------------------------------------


def test_unassigning_hands_open_and_snoozed_reminders_to_the_next_person_and_audits_it(
    clock, caseworker, isva, supervisor
):
    case = open_case(caseworker, assigned_to=[isva])
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 3, 20))
    scan(clock, DAY_15)
    assert holders(case) == {
        K.REVERIFY_CONTACT: {caseworker.pk},
        K.NO_RECENT_CONTACT: {caseworker.pk},
        K.CONSENT_REVIEW: {caseworker.pk},
    }
    reverify = active(case, K.REVERIFY_CONTACT)[0]
    until = DAY_15 + timedelta(days=2)
    snoozed = client_for(caseworker).post(
        f"{REMINDERS}{reverify.pk}/snooze/",
        {"until": until.isoformat(), "reason": "Seeing her at the drop-in on Thursday."},
        format="json",
    )
    assert snoozed.status_code == 200, snoozed.json()
    before = {r.pk: (r.kind, r.dedup_key, r.due_at) for r in active(case)}

    unassign(supervisor, case, caseworker)

    assert holders(case) == {
        K.REVERIFY_CONTACT: {isva.pk},
        K.NO_RECENT_CONTACT: {isva.pk},
        K.CONSENT_REVIEW: {isva.pk},
    }
    # The same reminders, with their reasons, due times and snooze: handed over, not remade.
    assert {r.pk: (r.kind, r.dedup_key, r.due_at) for r in active(case)} == before
    shown = {r["id"]: r for r in listed(isva, status=["open", "snoozed"])}
    assert set(shown) == {str(pk) for pk in before}
    assert shown[str(reverify.pk)]["status"] == "snoozed"
    assert datetime.fromisoformat(shown[str(reverify.pk)]["snoozed_until"]) == until
    assert shown[str(reverify.pk)]["snooze_reason"] == "Seeing her at the drop-in on Thursday."
    assert listed(caseworker) == []
    for pk in before:
        assert client_for(caseworker).get(f"{REMINDERS}{pk}/").status_code == 404

    moves = AuditEvent.objects.filter(action="reminder.hand_over")
    assert {(e.object_id, e.actor_id, e.case_id) for e in moves} == {
        (str(pk), supervisor.pk, case.pk) for pk in before
    }
    assert {(e.detail["from"], e.detail["to"]) for e in moves} == {
        (str(caseworker.pk), str(isva.pk))
    }
    unassigned = AuditEvent.objects.get(action="case.unassign")
    assert unassigned.detail["reminders"] == {"moved": 3, "covered": 0}

    # The next scans change nothing: nothing cancelled, nothing made again, nothing given back.
    settled = rows_now()
    results = scan(clock, LATER)
    assert {kind: r.created for kind, r in results.items() if r.created} == {}
    assert {kind: r.cancelled for kind, r in results.items() if r.cancelled} == {}
    assert rows_now() == settled
    scan(clock, until + timedelta(minutes=1))  # the snooze ends, with its new holder
    reverify.refresh_from_db()
    assert (reverify.assignee, reverify.status) == (isva, ReminderStatus.OPEN)
    assert holders(case)[K.NO_RECENT_CONTACT] == {isva.pk}


def test_the_next_person_is_emailed_about_a_reminder_handed_to_them(
    clock, caseworker, isva, supervisor, mailoutbox
):
    for person in (caseworker, isva):
        ReminderPreference.objects.create(user=person, email_each=True)
    case = open_case(caseworker, assigned_to=[isva])
    scan(clock, DAY_15)
    assert set(reminders_to_email()) == set(active(case))
    for reminder in active(case):
        email_reminder(str(reminder.pk))
    assert [m.to for m in mailoutbox] == [[caseworker.email]] * 2
    assert not reminders_to_email().exists()

    unassign(supervisor, case, caseworker)
    mailoutbox.clear()
    assert set(reminders_to_email()) == set(active(case))  # due again, to their new holder
    for reminder in active(case):
        assert email_reminder(str(reminder.pk)) is True
    assert sorted(m.to[0] for m in mailoutbox) == [isva.email] * 2
    assert all(case.reference in m.body for m in mailoutbox)


@pytest.mark.parametrize("attending", [False, True], ids=["nobody_attends", "caseworker_attends"])
def test_a_court_reminder_goes_to_the_next_person_under_the_key_the_scan_expects(
    clock, caseworker, isva, supervisor, attending
):
    case = open_case(caseworker, assigned_to=[isva])
    event = CourtEventFactory(
        case=case, starts_at=START + timedelta(days=7), attendees=[caseworker] if attending else []
    )
    scan(clock, START + timedelta(days=1))  # the seven-days-before reminder is due
    [court] = active(case, K.COURT_DATE)
    assert court.assignee == caseworker
    assert court.dedup_key.endswith(f":{caseworker.pk}")

    unassign(supervisor, case, caseworker)

    court.refresh_from_db()
    assert court.assignee == isva
    assert court.dedup_key == court.dedup_key.rsplit(":", 1)[0] + f":{isva.pk}"
    assert court.detail["court_event"] == str(event.pk)
    settled = rows_now()
    results = scan(clock, START + timedelta(days=1, hours=2))
    assert (results[K.COURT_DATE].created, results[K.COURT_DATE].cancelled) == (0, 0)
    assert rows_now() == settled
    assert [r["id"] for r in listed(isva, kind="court_date")] == [str(court.pk)]


def test_a_court_reminder_another_attendee_still_holds_is_not_doubled(
    clock, caseworker, isva, supervisor
):
    case = open_case(caseworker, assigned_to=[isva])
    CourtEventFactory(case=case, starts_at=START + timedelta(days=7), attendees=[caseworker, isva])
    scan(clock, START + timedelta(days=1))
    assert holders(case)[K.COURT_DATE] == {caseworker.pk, isva.pk}
    theirs = Reminder.objects.get(kind=K.COURT_DATE, assignee=caseworker)

    unassign(supervisor, case, caseworker)

    theirs.refresh_from_db()
    assert (theirs.assignee, theirs.status) == (caseworker, ReminderStatus.CANCELLED)
    assert holders(case)[K.COURT_DATE] == {isva.pk}
    event = AuditEvent.objects.get(action="reminder.cancel", object_id=str(theirs.pk))
    assert event.detail == {"reason": "held_by_another", "from": str(caseworker.pk)}
    settled = rows_now()
    results = scan(clock, START + timedelta(days=1, hours=2))
    assert (results[K.COURT_DATE].created, results[K.COURT_DATE].revived) == (0, 0)
    assert rows_now() == settled


def test_with_nobody_left_on_the_case_the_longest_serving_supervisor_takes_the_reminders(
    clock, caseworker, supervisor
):
    clock.move_to(START + timedelta(minutes=1))
    newer = SupervisorFactory(organisation=caseworker.organisation)
    clock.move_to(START + timedelta(minutes=2))
    case = open_case(caseworker)
    CourtEventFactory(case=case, starts_at=START + timedelta(days=20))
    scan(clock, DAY_15)
    assert holders(case) == {
        K.REVERIFY_CONTACT: {caseworker.pk},
        K.NO_RECENT_CONTACT: {caseworker.pk},
        K.COURT_DATE: {caseworker.pk},
    }

    unassign(newer, case, caseworker)

    assert not CaseAssignment.objects.filter(case=case).exists()
    expected = {
        K.REVERIFY_CONTACT: {supervisor.pk},
        K.NO_RECENT_CONTACT: {supervisor.pk},
        K.COURT_DATE: {supervisor.pk},
    }
    assert holders(case) == expected
    assert {r["kind"] for r in listed(supervisor, mine=True)} == set(expected)
    assert listed(newer, mine=True) == []
    settled = rows_now()
    results = scan(clock, LATER)
    assert {kind: r.created for kind, r in results.items() if r.created} == {}
    assert {kind: r.cancelled for kind, r in results.items() if r.cancelled} == {}
    assert rows_now() == settled

    # Someone new on the case: what the supervisor holds under the case's reasons stays with
    # them, and the hearing (whose reminders are per person) is the newcomer's from the next scan,
    # as it would be for anyone newly assigned. Nothing goes back to the caseworker.
    newcomer = UserFactory(organisation=caseworker.organisation)
    case_assign(case=case, user=newcomer, assigned_by=supervisor)
    scan(clock, LATER + timedelta(hours=1))
    assert holders(case) == {**expected, K.COURT_DATE: {newcomer.pk}}


def test_a_supervisor_taken_off_a_case_still_sees_it_and_keeps_their_reminders(
    clock, caseworker, supervisor
):
    case = open_case(caseworker, assigned_to=[supervisor])
    for hours in (1, 2, 3):
        clock.move_to(START + timedelta(hours=hours))
        ContactLogEntryFactory(
            case=case,
            recorded_by=caseworker,
            occurred_at=timezone.now(),
            channel="phone_call",
            direction="outbound",
            outcome="no_answer",
            contact_method=case.client.contact_methods.get(),
        )
    scan(clock, START + timedelta(hours=4))
    [escalation] = active(case, K.CONTACT_FAILURES)
    assert escalation.assignee == supervisor

    unassign(supervisor, case, supervisor)

    escalation.refresh_from_db()
    assert (escalation.assignee, escalation.status) == (supervisor, ReminderStatus.OPEN)
    assert [r["id"] for r in listed(supervisor, mine=True)] == [str(escalation.pk)]
    assert not AuditEvent.objects.filter(action="reminder.hand_over").exists()


def test_a_deactivated_supervisor_taken_off_a_case_hands_their_reminders_over(
    clock, caseworker, supervisor
):
    leaving = SupervisorFactory(organisation=caseworker.organisation)
    case = open_case(caseworker, assigned_to=[leaving])
    held = Reminder.objects.create(
        organisation=case.organisation,
        kind=K.REVERIFY_CONTACT,
        case=case,
        assignee=leaving,
        due_at=timezone.now(),
        dedup_key=f"test:{case.pk}",
    )
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])

    unassign(supervisor, case, leaving)

    held.refresh_from_db()
    assert (held.assignee, held.status) == (caseworker, ReminderStatus.OPEN)


def test_a_message_nobody_could_send_is_handed_over_with_the_rest(
    clock, caseworker, isva, supervisor, settings
):
    settings.MESSAGE_GATEWAY = "tests.support.gateways.RecordingGateway"
    case = open_case(caseworker, assigned_to=[isva])
    case.client.contact_methods.update(safe_to_text=False)
    message = message_plan(
        case=case,
        author=caseworker,
        purpose="appointment",
        channel="text",
        body="Your appointment is on Thursday at 11.",
        send_after=timezone.now(),
    )
    send_message(str(message.pk))
    [undeliverable] = active(case, K.MESSAGE_UNDELIVERABLE)
    assert undeliverable.assignee == caseworker

    unassign(supervisor, case, caseworker)

    undeliverable.refresh_from_db()
    assert undeliverable.assignee == isva
    scan(clock, START + timedelta(hours=1))
    undeliverable.refresh_from_db()
    assert (undeliverable.assignee, undeliverable.status) == (isva, ReminderStatus.OPEN)


def test_with_nobody_at_all_to_take_them_unassigning_is_refused_and_changes_nothing(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, DAY_15)
    settled = rows_now()
    with pytest.raises(Conflict) as refused:
        case_unassign(case=case, user=caseworker, unassigned_by=caseworker)
    assert refused.value.code == "no_one_to_take_reminders"
    assert CaseAssignment.objects.filter(case=case, user=caseworker).exists()
    assert rows_now() == settled
    assert len(listed(caseworker)) == 2


def test_unassigning_someone_with_no_reminders_on_the_case_moves_no_one_elses(
    clock, caseworker, isva, supervisor
):
    case = open_case(caseworker, assigned_to=[isva])
    other = open_case(isva, pseudonym="Robin")
    scan(clock, DAY_15)
    settled = rows_now()
    unassign(supervisor, case, isva)
    assert rows_now() == settled
    assert {r["case"]["id"] for r in listed(isva)} == {str(other.pk)}


# --- the list ---------------------------------------------------------------------------------


def test_cancelled_reminders_are_left_out_unless_asked_for(clock, caseworker):
    case = open_case(caseworker)
    scan(clock, DAY_15)
    no_contact = active(case, K.NO_RECENT_CONTACT)[0]
    ContactLogEntryFactory(
        case=case,
        recorded_by=caseworker,
        occurred_at=timezone.now(),
        channel="phone_call",
        direction="outbound",
        outcome="reached",
        contact_method=case.client.contact_methods.get(),
    )
    scan(clock, LATER)  # reached (and so verified): both reasons have gone
    no_contact.refresh_from_db()
    assert no_contact.status == ReminderStatus.CANCELLED

    assert listed(caseworker) == []
    assert {r["kind"] for r in listed(caseworker, status="cancelled")} == {
        "no_recent_contact",
        "reverify_contact",
    }
    both = listed(caseworker, status=["open", "cancelled"])
    assert len(both) == 2
    detail = client_for(caseworker).get(f"{REMINDERS}{no_contact.pk}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "cancelled"


def test_the_case_filter_finds_a_case_s_reminders_by_its_id(clock, caseworker):
    case = open_case(caseworker)
    other = open_case(caseworker, pseudonym="Robin")
    scan(clock, DAY_15)
    found = listed(caseworker, case=str(case.pk))
    assert {r["case"]["id"] for r in found} == {str(case.pk)}
    assert len(found) == 2
    assert len(listed(caseworker, case=str(other.pk))) == 2


def test_an_escalation_shows_only_routes_the_caller_may_see(clock, caseworker, supervisor):
    case = open_case(caseworker)
    friend = ContactMethodFactory(
        client=case.client,
        kind="third_party",
        value="07700 900777",
        third_party_name="Sister",
    )
    elsewhere = OrganisationFactory()
    stranger = ClientFactory(created_by=SupervisorFactory(organisation=elsewhere), pseudonym="X")
    foreign = ContactMethodFactory(
        client=stranger,
        kind="third_party",
        value="07700 900999",
        third_party_name="Neighbour",
    )
    reminder = Reminder.objects.create(
        organisation=caseworker.organisation,
        kind=K.CONTACT_FAILURES,
        case=case,
        assignee=supervisor,
        due_at=timezone.now(),
        dedup_key=f"failures:{case.pk}:never:{supervisor.pk}",
        detail={"last_successful_contact": None, "other_routes": [str(friend.pk), str(foreign.pk)]},
    )
    for response in (
        client_for(supervisor).get(f"{REMINDERS}{reminder.pk}/"),
        client_for(supervisor).get(REMINDERS, {"kind": "contact_failures"}),
    ):
        assert response.status_code == 200
        body = response.json()
        shown = body["results"][0] if "results" in body else body
        assert [r["id"] for r in shown["other_routes"]] == [str(friend.pk)]
        assert "07700 900999" not in response.content.decode()


# Queries for a page of reminders: authentication (1: the token, the person, their organisation
# and groups), the page (1), and the escalations' routes, narrowed to the clients the caller may
# see in the same query (1). The page's own queries, then its audited read (savepoint, chain
# lock with the chain's tail, insert, release).
LIST_QUERIES = {"caseworker": 3 + 4, "supervisor": 3 + 4}


@pytest.mark.parametrize("viewer", ["caseworker", "supervisor"])
def test_the_reminder_list_costs_the_same_queries_for_one_row_as_for_thirty(
    clock, caseworker, supervisor, viewer, django_assert_num_queries
):
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            case = open_case(caseworker, pseudonym=f"Client {n}")
            route = ContactMethodFactory(
                client=case.client,
                kind="third_party",
                value=f"07700 900{n:03d}",
                third_party_name="Friend",
            )
            for person in (caseworker, supervisor):
                Reminder.objects.create(
                    organisation=caseworker.organisation,
                    kind=K.CONTACT_FAILURES,
                    case=case,
                    assignee=person,
                    due_at=timezone.now(),
                    dedup_key=f"test:{case.pk}:{person.pk}",
                    detail={"other_routes": [str(route.pk)]},
                )

    person = {"caseworker": caseworker, "supervisor": supervisor}[viewer]
    expected_rows = {"caseworker": (1, 30), "supervisor": (2, 60)}[viewer]
    add(0, 1)
    api = client_for(person)
    with django_assert_num_queries(LIST_QUERIES[viewer]):
        rows = api.get(REMINDERS, {"page_size": 100}).json()["results"]
    assert len(rows) == expected_rows[0]
    add(1, 29)
    api = client_for(person)
    with django_assert_num_queries(LIST_QUERIES[viewer]):
        rows = api.get(REMINDERS, {"page_size": 100}).json()["results"]
    assert len(rows) == expected_rows[1]
    assert all(len(r["other_routes"]) == 1 for r in rows)
