"""Lists served from plain rows say exactly what their declared output serializers say of the
same records, in the same order, summer time included; and their reads are audited as before."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from rest_framework.renderers import JSONRenderer

from api.cases.serializers import CaseListItem, ContactOutput, NoteOutput
from api.court.serializers import CaseloadItem
from api.reminders.serializers import ReminderOutput
from api.sharing.serializers import SharedCaseListItem
from casework.audit.models import AuditEvent
from casework.cases.models import Case, ContactLogEntry, Note
from casework.cases.selectors import case as case_as_shown
from casework.cases.services.contacts import note_add
from casework.court.selectors import urgent_first
from casework.court.services import decision_record
from casework.reminders.choices import ReminderKind
from casework.reminders.models import Reminder
from casework.sharing.models import SharedCase

from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    SharedCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 12:30 in London on a summer day is 11:30 UTC: a list must say +01:00, as a detail does.
SUMMER = datetime(2026, 7, 1, 11, 30, 15, 250000, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def _as_json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def case(charity, caseworker):
    colleague = UserFactory(organisation=charity)
    return CaseFactory(opened_by=caseworker, assigned_to=[caseworker, colleague])


def test_the_notes_list_equals_the_declared_output(as_caseworker, case, caseworker, supervisor):
    for when, author in [(SUMMER, caseworker), (WINTER, supervisor)]:
        with time_machine.travel(when, tick=False):
            note_add(case=case, author=author, body=f"Seen {when:%B}", visibility="internal")
    response = as_caseworker.get(f"/api/v1/cases/{case.id}/notes/")
    assert response.status_code == 200
    declared = NoteOutput(Note.objects.filter(case=case).order_by("-created_at", "-id"), many=True)
    assert response.json()["results"] == _as_json(declared.data)
    assert response.json()["results"][0]["created_at"].endswith("+01:00")


def test_the_notes_list_still_filters_and_pages(as_caseworker, case, caseworker):
    for i in range(4):
        note_add(case=case, author=caseworker, body=f"Note {i}", visibility="internal")
    url = f"/api/v1/cases/{case.id}/notes/"
    assert as_caseworker.get(url, {"visibility": "shared"}).json()["results"] == []
    first = as_caseworker.get(url, {"page_size": 2}).json()
    second = as_caseworker.get(first["next"]).json()
    bodies = [n["body"] for n in first["results"] + second["results"]]
    assert bodies == ["Note 3", "Note 2", "Note 1", "Note 0"]
    assert second["next"] is None


def test_the_contact_log_list_equals_the_declared_output(as_caseworker, case, caseworker):
    method = ContactMethodFactory(client=case.client, created_by=caseworker, kind="mobile")
    with time_machine.travel(SUMMER, tick=False):
        first = ContactLogEntryFactory(
            case=case,
            recorded_by=caseworker,
            occurred_at=SUMMER - timedelta(hours=1),
            contact_method=method,
            duration_minutes=12,
            note="Spoke briefly.",
        )
        ContactLogEntryFactory(
            case=case,
            recorded_by=caseworker,
            occurred_at=SUMMER - timedelta(minutes=30),
            corrects=first.pk,
            outcome="reached",
        )
    response = as_caseworker.get(f"/api/v1/cases/{case.id}/contacts/")
    assert response.status_code == 200
    entries = ContactLogEntry.objects.filter(case=case).order_by("-occurred_at", "-id")
    declared = ContactOutput(entries, many=True)
    results = response.json()["results"]
    assert results == _as_json(declared.data)
    assert {r["corrects"] for r in results} == {None, str(first.pk)}
    assert all(r["editable_until"] for r in results)


def test_a_list_of_rows_is_audited_naming_each_row_and_the_case(as_caseworker, case, caseworker):
    notes = [
        note_add(case=case, author=caseworker, body=f"Note {i}", visibility="internal")
        for i in range(2)
    ]
    as_caseworker.get(f"/api/v1/cases/{case.id}/notes/")
    event = AuditEvent.objects.filter(action="note.list").latest("id")
    assert sorted(event.detail["ids"]) == sorted(str(n.pk) for n in notes)
    assert event.case_id == case.pk


def test_the_case_list_equals_the_declared_output(as_caseworker, charity, caseworker):
    colleagues = [UserFactory(organisation=charity, first_name="Zoë") for _ in range(2)]
    with time_machine.travel(SUMMER, tick=False):
        summer = CaseFactory(
            opened_by=caseworker,
            assigned_to=[caseworker, *colleagues],
            offence_types=["robbery", "stalking"],
        )
    with time_machine.travel(WINTER, tick=False):
        closed = CaseFactory(
            opened_by=caseworker,
            support="closed",
            support_reason="Done.",
            closure_reason="support_completed",
        )
    response = as_caseworker.get("/api/v1/cases/", {"ordering": "opened_at"})
    assert response.status_code == 200
    shown = [case_as_shown(principal=caseworker, pk=case.pk) for case in (closed, summer)]
    declared = [CaseListItem().generic_representation(case) for case in shown]
    assert response.json()["results"] == _as_json(declared)
    assert len(response.json()["results"][1]["assignments"]) == 3
    assert response.json()["results"][1]["assignments"][0]["assigned_at"].endswith("+01:00")


def test_the_case_list_still_filters_orders_and_pages(as_caseworker, caseworker):
    cases = [CaseFactory(opened_by=caseworker) for _ in range(3)]
    other = CaseFactory(opened_by=UserFactory(organisation=caseworker.organisation))
    first = as_caseworker.get("/api/v1/cases/", {"page_size": 2, "ordering": "reference"}).json()
    second = as_caseworker.get(first["next"]).json()
    shown = [c["reference"] for c in first["results"] + second["results"]]
    assert shown == sorted(c.reference for c in cases)
    assert other.reference not in shown
    mine = as_caseworker.get(
        "/api/v1/cases/", {"assigned_to": "me", "reference": cases[0].reference}
    )
    assert [c["id"] for c in mine.json()["results"]] == [str(cases[0].pk)]
    refused = as_caseworker.get("/api/v1/cases/", {"ordering": "client"})
    assert refused.status_code == 400
    assert "opened_at" in refused.json()["fields"]["ordering"][0]


def test_the_caseload_equals_the_declared_output(as_caseworker, caseworker):
    with time_machine.travel(SUMMER, tick=False):
        busy = CaseFactory(opened_by=caseworker, support="active")
        CourtEventFactory(case=busy, actor=caseworker, starts_at=SUMMER + timedelta(days=3))
        decision_record(
            case=busy, actor=caseworker, kind="arrest", decided_on=SUMMER.date() - timedelta(1)
        )
        ContactLogEntryFactory(case=busy, recorded_by=caseworker, outcome="reached")
        quiet = CaseFactory(opened_by=caseworker)
        response = as_caseworker.get("/api/v1/caseload/")
        assert response.status_code == 200
        declared = CaseloadItem(
            urgent_first(Case.objects.filter(pk__in=[busy.pk, quiet.pk])), many=True
        )
        assert response.json()["results"] == _as_json(declared.data)
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [str(busy.pk), str(quiet.pk)]
    assert rows[0]["next_court_date"].endswith("+01:00")
    event = AuditEvent.objects.filter(action="caseload.read").latest("id")
    assert sorted(event.detail["ids"]) == sorted([str(busy.pk), str(quiet.pk)])


def test_the_reminder_list_equals_the_declared_output(as_caseworker, case, caseworker):
    route = ContactMethodFactory(client=case.client, created_by=caseworker, kind="mobile")
    with time_machine.travel(SUMMER, tick=False):
        for i, detail in enumerate(
            [
                {"other_routes": [str(route.pk)], "last_successful_contact": "2026-06-01"},
                {},
            ]
        ):
            Reminder.objects.create(
                kind=ReminderKind.CONTACT_FAILURES,
                dedup_key=f"rows:{i}",
                organisation=case.organisation,
                case=case,
                assignee=caseworker,
                due_at=SUMMER - timedelta(hours=i + 1),
                detail=detail,
            )
    response = as_caseworker.get("/api/v1/reminders/")
    assert response.status_code == 200
    reminders = Reminder.objects.filter(case=case).order_by("due_at", "id")
    declared = ReminderOutput(reminders, many=True, context={"routes": {str(route.pk): route}})
    assert response.json()["results"] == _as_json(declared.data)
    assert [len(r["other_routes"]) for r in response.json()["results"]] == [0, 1]


def test_the_timeline_describes_consents_hearings_and_decisions_from_rows(
    as_caseworker, case, caseworker
):
    with time_machine.travel(WINTER, tick=False):
        store = ConsentDecisionFactory(case=case, recorded_by=caseworker)
    with time_machine.travel(WINTER + timedelta(hours=1), tick=False):
        hearing = CourtEventFactory(case=case, actor=caseworker, starts_at=SUMMER)
    with time_machine.travel(WINTER + timedelta(hours=2), tick=False):
        decision = decision_record(
            case=case, actor=caseworker, kind="arrest", decided_on=WINTER.date()
        )
    items = as_caseworker.get(f"/api/v1/cases/{case.id}/timeline/").json()["results"]
    by_kind = {item["kind"]: item for item in items}
    assert by_kind["consent"]["id"] == str(store.public_id)
    assert by_kind["consent"]["actor"] == caseworker.username
    assert by_kind["consent"]["data"] == {
        "scope": "store_records",
        "granted": True,
        "police_force": None,
        "method": "verbal",
        "review_date": None,
        "follows_from": None,
        "decision_kind": "consent",
        "override_ground": None,
    }
    assert by_kind["court_event"]["id"] == str(hearing.pk)
    assert by_kind["court_event"]["data"] == {
        "hearing_type": hearing.hearing_type,
        "court": hearing.court,
        "starts_at": SUMMER.isoformat(),
        "status": hearing.status,
        "added_by_police": False,
    }
    decision.refresh_from_db()
    assert by_kind["decision"]["data"] == {
        "decision": "arrest",
        "decided_on": WINTER.date().isoformat(),
        "client_told_on": None,
        "tell_client_by": decision.entitlement.due_on.isoformat(),
        "entitlement": "open",
    }
    assert by_kind["decision"]["actor"] == caseworker.username


def _police_shares(charity, caseworker, police_force):
    charity.areas = ["Nottingham", "Derby", "Leicester"]
    charity.save(update_fields=["areas"])
    with time_machine.travel(SUMMER, tick=False):
        identified = SharedCaseFactory(
            case=CaseFactory(
                opened_by=caseworker,
                incident_date=date(2026, 6, 3),
                area="Nottingham",
                offence_types=["robbery"],
            ),
            police_force=police_force,
            review_date=date(2099, 9, 1),
        )
    with time_machine.travel(WINTER, tick=False):
        anonymous = SharedCaseFactory(
            case=CaseFactory(
                opened_by=caseworker, incident_date=date(2025, 12, 24), area="Leicester"
            ),
            police_force=police_force,
            level="anonymous",
        )
    charity.areas = ["Nottingham", "Derby"]  # an area taken off the list stops showing
    charity.save(update_fields=["areas"])
    return identified, anonymous


def test_the_police_shared_case_list_equals_the_declared_output(
    as_police, charity, caseworker, police_force
):
    identified, anonymous = _police_shares(charity, caseworker, police_force)
    response = as_police.get("/api/v1/shared-cases/")
    assert response.status_code == 200
    shares = SharedCase.objects.filter(pk__in=[identified.pk, anonymous.pk]).select_related(
        "case__organisation"
    )
    declared = SharedCaseListItem(shares.order_by("-started_at", "-id"), many=True)
    assert response.json()["results"] == _as_json(declared.data)
    first, second = response.json()["results"]
    assert (first["incident_date"], first["area"]) == ("2026-06-03", "Nottingham")
    assert first["started_at"].endswith("+01:00")
    # Anonymous intelligence: the month only, and no area that is not on the charity's list.
    assert (second["incident_date"], second["started_at"], second["area"]) == (None, None, None)
    assert (second["incident_month"], second["started_month"]) == ("2025-12", "2026-01")


def test_a_police_list_of_rows_is_audited_in_the_charity_chain_naming_each_share(
    as_police, charity, caseworker, police_force, police_liaison
):
    identified, anonymous = _police_shares(charity, caseworker, police_force)
    as_police.get("/api/v1/shared-cases/")
    event = AuditEvent.objects.filter(action="shared_case.list").latest("id")
    assert event.organisation_id == charity.pk
    assert event.actor_organisation_id == police_force.pk
    assert sorted(event.detail["shares"]) == sorted(
        [identified.share_reference, anonymous.share_reference]
    )
    assert event.case_id is None
    assert sorted(map(str, event.case_ids)) == sorted(
        str(s.case_id) for s in (identified, anonymous)
    )
    assert event.detail["police_force"] == str(police_force.pk)


def test_police_reminders_equal_the_declared_output_and_are_audited_against_their_shares(
    as_police, charity, caseworker, police_force, police_liaison
):
    identified, anonymous = _police_shares(charity, caseworker, police_force)
    with time_machine.travel(SUMMER, tick=False):
        for i, share in enumerate((identified, anonymous)):
            Reminder.objects.create(
                kind=ReminderKind.POLICE_UPDATE_OVERDUE,
                dedup_key=f"police-rows:{i}",
                organisation=police_force,
                case=share.case,
                shared_case=share,
                assignee=police_liaison,
                due_at=SUMMER + timedelta(hours=i + 1),
            )
    response = as_police.get("/api/v1/reminders/")
    assert response.status_code == 200
    reminders = Reminder.objects.filter(assignee=police_liaison).order_by("due_at", "id")
    declared = ReminderOutput(reminders, many=True, context={"routes": {}})
    assert response.json()["results"] == _as_json(declared.data)
    assert [r["case"]["id"] for r in response.json()["results"]] == [
        str(identified.pk),
        str(anonymous.pk),
    ]
    event = AuditEvent.objects.filter(action="reminder.list").latest("id")
    assert event.organisation_id == charity.pk
    assert sorted(event.detail["ids"]) == sorted(str(r.pk) for r in reminders)
    assert sorted(event.detail["shares"]) == sorted(
        [identified.share_reference, anonymous.share_reference]
    )
