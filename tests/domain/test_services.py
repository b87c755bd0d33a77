"""Every write with rules is one service that owns its checks: given ids or records, it checks
they belong to the case or its charity itself, whoever calls it; it changes (and audits) the
fields it is given and no others; and the jobs whose steps must commit on their own refuse to
run inside a caller's transaction."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.services.cases import case_assign, case_create, case_update
from casework.cases.services.contacts import contact_log
from casework.clients.services import client_create, contact_method_add
from casework.court.services import court_event_add
from casework.reminders.scan import run_scan
from casework.sharing.services import expire_lapsed_consents

from ..conftest import client_for
from ..editing import edit
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ASSIGN_REFUSED = "Only staff of your organisation can be assigned."


def open_case_for(user, pseudonym="Robin"):
    client = client_create(organisation=user.organisation, created_by=user, pseudonym=pseudonym)
    return case_create(client=client, opened_by=user, assigned_to=[user])


def messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return error.value.message_dict[field]


def test_a_contact_method_of_another_client_is_refused_by_the_service(caseworker):
    case = open_case_for(caseworker)
    other = open_case_for(caseworker, pseudonym="Wren")
    theirs = contact_method_add(
        client=other.client, created_by=caseworker, kind="mobile", value="07700 900123"
    )
    for named in (theirs, theirs.pk, uuid.uuid4()):
        with pytest.raises(ValidationError) as error:
            contact_log(
                case=case,
                recorded_by=caseworker,
                occurred_at=timezone.now(),
                channel="phone_call",
                direction="outbound",
                outcome="reached",
                contact_method=named,
            )
        assert messages(error, "contact_method") == ["This contact method is not this client's."]


def test_an_entry_of_another_case_cannot_be_corrected(caseworker):
    case = open_case_for(caseworker)
    other = open_case_for(caseworker, pseudonym="Wren")
    entry = contact_log(
        case=other,
        recorded_by=caseworker,
        occurred_at=timezone.now(),
        channel="phone_call",
        direction="outbound",
        outcome="no_answer",
    )
    for named in (entry, entry.pk):
        with pytest.raises(ValidationError) as error:
            contact_log(
                case=case,
                recorded_by=caseworker,
                occurred_at=timezone.now(),
                channel="phone_call",
                direction="outbound",
                outcome="reached",
                corrects=named,
            )
        assert messages(error, "corrects") == ["No such entry on this case."]


def test_staff_of_another_charity_are_refused_by_id_or_as_people_alike(
    caseworker, supervisor, other_charity
):
    case = open_case_for(caseworker)
    outsider = UserFactory(organisation=other_charity)
    for named in (outsider, outsider.pk, uuid.uuid4()):
        with pytest.raises(ValidationError) as error:
            case_assign(case=case, user=named, assigned_by=supervisor)
        assert messages(error, "user") == [ASSIGN_REFUSED]
    with pytest.raises(ValidationError) as error:
        case_create(client=case.client, opened_by=caseworker, assigned_to=[outsider.pk])
    assert messages(error, "assigned_to") == [ASSIGN_REFUSED]


def test_a_case_is_opened_only_for_a_client_of_the_opener_s_charity(caseworker, other_charity):
    outsider = UserFactory(organisation=other_charity)
    client = client_create(organisation=other_charity, created_by=outsider, pseudonym="Finch")
    with pytest.raises(ValidationError) as error:
        case_create(client=client, opened_by=caseworker)
    assert messages(error, "client") == ["This client belongs to another organisation."]


def test_hearing_attendees_are_the_charity_s_own_staff(caseworker, isva, police_liaison):
    case = open_case_for(caseworker)
    hearing = {
        "case": case,
        "actor": caseworker,
        "hearing_type": "first_hearing",
        "court": "Leeds Magistrates' Court",
        "starts_at": timezone.now() + timedelta(days=30),
    }
    for named in (police_liaison, police_liaison.pk):
        with pytest.raises(ValidationError) as error:
            court_event_add(**hearing, attendees=[named])
        assert messages(error, "attendees") == ["Only your organisation's staff can attend."]
    event = court_event_add(**hearing, attendees=[isva.pk, caseworker])
    assert set(event.attendees.all()) == {isva, caseworker}


def test_a_partial_update_changes_and_audits_only_the_fields_given(caseworker):
    case = open_case_for(caseworker)
    case.incident_date = timezone.localdate() - timedelta(days=3)
    case.save(update_fields=["incident_date"])
    updated = case_update(case=case, updated_by=caseworker, risk_level="high")
    assert (updated.risk_level, updated.incident_date) == ("high", case.incident_date)
    event = AuditEvent.objects.filter(action="case.update").get()
    assert event.changed_fields == ["risk_level"]
    cleared = case_update(case=updated, updated_by=caseworker, incident_date=None)
    assert cleared.incident_date is None


def test_changing_reminder_preferences_is_audited(caseworker):
    """Where a person's reminders are emailed is a change like any other: it was the one write
    that left no audit event."""
    response = edit(
        client_for(caseworker), "/api/v1/me/reminder-preferences/", {"daily_digest": True}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="reminder_preferences.update")
    assert (event.actor_id, event.changed_fields) == (caseworker.pk, ["daily_digest"])
    assert event.organisation_id == caseworker.organisation_id


@pytest.mark.parametrize(
    "job", [run_scan, expire_lapsed_consents], ids=["reminder scan", "consent sweep"]
)
def test_jobs_that_commit_on_their_own_refuse_to_run_inside_a_transaction(job):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        job()
