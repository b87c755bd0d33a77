"""A caseworker's day in the console: the caseload, a case with its identity hidden until asked
for, logging a contact, and working reminders. Every read is audited as the API audits it and
every write goes through the API's services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import ContactLogEntry
from casework.clients.models import ContactMethod
from casework.court.selectors import caseload
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import Reminder
from console.views import caseload as caseload_views
from console.views.caseload import REMINDERS_SHOWN

from ..factories import CaseFactory, ContactMethodFactory, UserFactory
from .world import console_for, hidden

pytestmark = pytest.mark.django_db

LEGAL_NAME = "Jane Legalname"


@pytest.fixture
def case(caseworker):
    case = CaseFactory(opened_by=caseworker, reachable=True, support="active", pseudonym="Robin")
    client = case.client
    client.legal_name = LEGAL_NAME
    client.save()
    return case


@pytest.fixture
def console(caseworker):
    return console_for(caseworker)


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def reminder_for(person, case, kind=ReminderKind.NO_RECENT_CONTACT, due=None, key="r"):
    return Reminder.objects.create(
        kind=kind,
        dedup_key=f"console:{key}",
        organisation=person.organisation,
        case=case,
        assignee=person,
        due_at=due or timezone.now() - timedelta(hours=1),
    )


def test_my_caseload_lists_my_open_cases_in_the_apis_urgency_order(caseworker, case, console):
    other = CaseFactory(opened_by=caseworker, support="active", risk_level="high")
    someone_elses = CaseFactory(
        opened_by=UserFactory(organisation=caseworker.organisation), pseudonym="Elsewhere"
    )
    html = console.get("/app/caseload/").content.decode()
    expected = [row["id"] for row in caseload(principal=caseworker, assigned_to_id=caseworker.pk)]
    positions = [html.index(f"/app/cases/{pk}/") for pk in expected]
    assert positions == sorted(positions) and len(expected) == 2
    assert str(other.pk) in html and str(someone_elses.pk) not in html
    event = events("caseload.read", actor_id=caseworker.pk).get()
    assert set(event.detail["ids"]) == {str(pk) for pk in expected}


def test_a_long_caseload_comes_a_page_at_a_time_in_urgency_order(
    caseworker, case, console, monkeypatch
):
    monkeypatch.setattr(caseload_views, "CASES_SHOWN", 2)
    for risk in ("high", "medium", "standard"):
        CaseFactory(opened_by=caseworker, support="active", risk_level=risk)
    expected = [row["id"] for row in caseload(principal=caseworker, assigned_to_id=caseworker.pk)]
    assert len(expected) == 4
    seen = []
    for number, has_next in ((1, True), (2, False)):
        html = console.get(f"/app/caseload/?page={number}").content.decode()
        on_page = [pk for pk in expected if f"/app/cases/{pk}/" in html]
        seen += sorted(on_page, key=lambda pk: html.index(f"/app/cases/{pk}/"))
        assert len(on_page) == 2
        assert ('rel="next"' in html) is has_next
        assert ('rel="prev"' in html) is (number > 1)
        # Each page's read is audited with the cases it showed, and only those.
        event = events("caseload.read", actor_id=caseworker.pk).latest("occurred_at")
        assert set(event.detail["ids"]) == {str(pk) for pk in on_page}
    assert seen == expected
    # The reminders head the first page only.
    reminder_for(caseworker, case, ReminderKind.COURT_DATE, due=timezone.now(), key="court")
    assert "Court date coming up" in console.get("/app/caseload/").content.decode()
    later = console.get("/app/caseload/?page=2").content.decode()
    assert "Court date coming up" not in later and "are on the first page" in later
    # A page past the end, or a page that is not a number, is an ordinary page.
    assert "No more open cases." in console.get("/app/caseload/?page=9").content.decode()
    assert str(expected[0]) in console.get("/app/caseload/?page=x").content.decode()
    assert str(expected[0]) in console.get("/app/caseload/?page=\u00b2").content.decode()
    # A page number past any offset the database takes is a page past the end, not an error.
    huge = console.get("/app/caseload/?page=99999999999999999999999")
    assert huge.status_code == 200 and "No more open cases." in huge.content.decode()


def test_the_caseload_shows_reminders_due_today_and_clients_we_cannot_reach(
    caseworker, case, console
):
    # Due now: today's, whatever the hour.
    reminder_for(caseworker, case, ReminderKind.COURT_DATE, due=timezone.now(), key="court")
    reminder_for(caseworker, case, ReminderKind.CONTACT_FAILURES, key="fail")
    reminder_for(
        caseworker,
        case,
        ReminderKind.CONSENT_REVIEW,
        due=timezone.now() + timedelta(days=3),
        key="later",
    )
    reminder_for(
        caseworker,
        case,
        ReminderKind.VICTIMS_CODE_OVERDUE,
        due=timezone.now() - timedelta(days=3),
        key="old",
    )
    html = console.get("/app/caseload/").content.decode()
    due, unreachable = html.split('id="unreachable-heading"')
    assert "Court date coming up" in due
    # Only the one due before today says it is overdue.
    assert due.count("overdue</span>") == 1
    assert "Repeated failed attempts" in unreachable.split('id="cases-heading"')[0]
    assert "Consent due for review" not in html


def test_the_case_page_shows_the_pseudonym_never_the_identity(caseworker, case, console):
    response = console.get(f"/app/cases/{case.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Robin" in html and LEGAL_NAME not in html
    assert "<title>Case · Casework</title>" in html
    assert events("case.read", actor_id=caseworker.pk, case_id=case.pk).count() == 1
    assert events("contact_method.list", actor_id=caseworker.pk).count() == 1
    assert events("case.timeline.read", actor_id=caseworker.pk, case_id=case.pk).count() == 1
    assert not events("client.read").exists()


def test_the_identity_shows_on_an_explicit_request_and_is_audited(caseworker, case, console):
    url = f"/app/cases/{case.pk}/identity/"
    assert console.get(url).status_code == 405
    response = console.submit(url)
    assert response.status_code == 200
    assert LEGAL_NAME in response.content.decode()
    event = events("client.read", actor_id=caseworker.pk).get()
    assert event.client_id == case.client_id
    assert event.detail["ids"] == [str(case.client_id)]
    # A partial update (htmx) gets the identity alone, for the case page to swap in.
    fragment = console.submit(url, HTTP_HX_REQUEST="true").content.decode()
    assert LEGAL_NAME in fragment and "<html" not in fragment
    assert events("client.read", actor_id=caseworker.pk).count() == 2


def form_of(console, case):
    html = console.get(f"/app/cases/{case.pk}/contacts/new/").content.decode()
    return {
        "form_token": hidden(html, "form_token"),
        "route_version": hidden(html, "route_version"),
    }


def test_logging_a_successful_contact_verifies_the_route(caseworker, case, console):
    route = ContactMethod.objects.get(client=case.client)
    data = {
        **form_of(console, case),
        "route": str(route.pk),
        "outcome": "reached",
        "direction": "outbound",
        "note": "Fine, safe at home.",
    }
    response = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/app/cases/{case.pk}/#timeline"
    entry = ContactLogEntry.objects.get(case=case)
    assert (entry.outcome, entry.channel, entry.note) == (
        "reached",
        "phone_call",
        "Fine, safe at home.",
    )
    route.refresh_from_db()
    assert route.status == "verified"
    assert events("contact.create", actor_id=caseworker.pk, case_id=case.pk).count() == 1


def test_a_failed_contact_marks_the_route_failing(caseworker, case, console):
    route = ContactMethod.objects.get(client=case.client)
    data = {
        **form_of(console, case),
        "route": str(route.pk),
        "outcome": "number_unavailable",
        "direction": "outbound",
    }
    assert console.submit(f"/app/cases/{case.pk}/contacts/new/", data).status_code == 302
    route.refresh_from_db()
    assert route.status == "failing"
    assert "Failing" in console.get(f"/app/cases/{case.pk}/").content.decode()


def test_a_double_submitted_contact_is_logged_once(caseworker, case, console):
    route = ContactMethod.objects.get(client=case.client)
    data = {
        **form_of(console, case),
        "route": str(route.pk),
        "outcome": "no_answer",
        "direction": "outbound",
    }
    first = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    second = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    assert first.status_code == second.status_code == 302
    assert ContactLogEntry.objects.filter(case=case).count() == 1


def test_a_route_changed_since_the_form_opened_is_refused_with_what_it_is_now(
    caseworker, case, console
):
    route = ContactMethod.objects.get(client=case.client)
    form = form_of(console, case)
    route.status = "failing"
    route.save()
    data = {
        **form,
        "route": str(route.pk),
        "outcome": "no_answer",
        "direction": "outbound",
        "note": "Tried twice.",
    }
    response = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "changed since the form was opened: it is now failing" in html
    assert "Tried twice." in html
    assert not ContactLogEntry.objects.filter(case=case).exists()


def test_a_contact_form_with_errors_says_so_beside_the_field_and_keeps_the_note(
    caseworker, case, console
):
    route = ContactMethod.objects.get(client=case.client)
    data = {
        **form_of(console, case),
        "route": str(route.pk),
        "direction": "outbound",
        "note": "Left a message with the hostel.",
    }
    response = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_outcome-error"' in html
    assert "Left a message with the hostel." in html
    assert not ContactLogEntry.objects.exists()


def test_a_route_of_another_client_is_not_offered_nor_accepted(caseworker, case, console):
    stranger = ContactMethodFactory()
    data = {
        **form_of(console, case),
        "route": str(stranger.pk),
        "outcome": "reached",
        "direction": "outbound",
    }
    response = console.submit(f"/app/cases/{case.pk}/contacts/new/", data)
    assert response.status_code == 400
    assert not ContactLogEntry.objects.exists()


def test_completing_a_reminder_and_a_second_completion_refused(caseworker, case, console):
    reminder = reminder_for(caseworker, case)
    url = f"/app/reminders/{reminder.pk}/complete/"
    done = console.submit(url, {"back": "/app/caseload/"})
    assert done.status_code == 302 and done["Location"] == "/app/caseload/"
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    again = console.submit(url)
    assert again.status_code == 409
    assert "already done" in again.content.decode()


def test_snoozing_a_reminder_checks_the_time(caseworker, case, console):
    reminder = reminder_for(caseworker, case)
    url = f"/app/reminders/{reminder.pk}/snooze/"
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = console.submit(url, {"until": past, "reason": "Away"})
    assert refused.status_code == 400
    assert "Snooze until a time in the future." in refused.content.decode()
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert console.submit(url, {"until": later, "reason": "In hospital"}).status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SNOOZED


def test_another_caseworkers_reminder_is_not_found(caseworker, case, console):
    colleague = UserFactory(organisation=caseworker.organisation)
    theirs = reminder_for(colleague, case, key="theirs")
    assert console.submit(f"/app/reminders/{theirs.pk}/complete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReminderStatus.OPEN


def test_my_caseload_shows_the_soonest_reminders_and_says_how_many_more(caseworker, case, console):
    now = timezone.now()
    reminders = [
        reminder_for(
            caseworker,
            case,
            ReminderKind.COURT_DATE,
            due=now - timedelta(hours=20 - n),
            key=f"due{n}",
        )
        for n in range(REMINDERS_SHOWN + 3)
    ]
    html = console.get("/app/caseload/").content.decode()
    due = html.split('id="unreachable-heading"')[0]
    shown = [r for r in reminders if f"/app/reminders/{r.pk}/complete/" in due]
    assert shown == reminders[:REMINDERS_SHOWN]
    assert "And 3 more due, soonest first" in due
    assert "Every client has been reached recently." in html
