"""Retention: closed cases past their organisation's retention period are anonymised, field by
field: identities and free text go, the facts statistics need stay, the audit trail stays and
never held the removed text. A dry run lists what is due and changes nothing."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, Note
from casework.cases.services.contacts import note_add
from casework.court.models import CourtEventDateChange
from casework.court.services import court_event_update
from casework.privacy.tasks import apply_retention
from casework.reminders.models import Reminder
from casework.reminders.services import reminder_snooze
from casework.sharing.models import SharedCase

from ...factories import CaseFactory, CourtEventFactory, OrganisationFactory, UserFactory
from .world import (
    Bundle,
    assert_audit_clean,
    assert_case_anonymised,
    assert_client_anonymised,
    assert_identity_kept,
    assert_untouched,
    build,
    close,
    fingerprint,
)

pytestmark = pytest.mark.django_db


NOW = datetime(2033, 6, 15, 10, 0, tzinfo=UTC)
OVER_SIX_YEARS = datetime(2027, 6, 10, 10, 0, tzinfo=UTC)
UNDER_SIX_YEARS = datetime(2027, 6, 20, 10, 0, tzinfo=UTC)
OVER_ONE_YEAR = datetime(2032, 6, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def present():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def closed_at(moment: datetime, staff, force, liaison, tag: str) -> Bundle:
    """A case written and closed at ``moment`` (the clock is put back afterwards)."""
    with time_machine.travel(moment, tick=False):
        bundle = build(staff, force, liaison, tag)
        close(bundle, staff)
    return bundle


@pytest.fixture
def world(present, charity, caseworker, police_force, police_liaison):
    return {
        "staff": caseworker,
        "force": police_force,
        "liaison": police_liaison,
        "charity": charity,
    }


def make(world, moment, tag) -> Bundle:
    return closed_at(moment, world["staff"], world["force"], world["liaison"], tag)


def retention(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_the_case_due_and_changes_nothing(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")
    before = fingerprint()
    events_before = AuditEvent.objects.count()

    output = retention("--dry-run")

    assert f"would anonymise {due.case.reference}" in output
    assert kept.case.reference not in output
    assert "1 case(s), 0 referral(s) and 0 client(s) without a case due; nothing changed" in output
    assert fingerprint() == before
    assert AuditEvent.objects.count() == events_before


def test_retention_anonymises_a_case_closed_over_the_period_ago_field_by_field(world):
    due = make(world, OVER_SIX_YEARS, "A")
    events_before = set(AuditEvent.objects.values_list("hash", flat=True))

    output = retention()

    assert f"anonymising {due.case.reference}" in output
    assert "Anonymised 1 case(s), 0 referral(s) and 1 client(s)." in output
    assert_case_anonymised(due)
    assert_client_anonymised(due)
    # Audit events are kept (none lost or changed) and hold none of the removed text.
    assert events_before <= set(AuditEvent.objects.values_list("hash", flat=True))
    assert_audit_clean(due)
    actions = set(AuditEvent.objects.filter(case_id=due.case.pk).values_list("action", flat=True))
    assert "case.anonymise" in actions


def test_retention_leaves_a_case_closed_within_the_period(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")

    retention()

    assert_case_anonymised(due)
    assert_untouched(kept)


def test_the_retention_period_is_measured_from_closing_not_opening(world):
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=400), tick=False):
        bundle = build(world["staff"], world["force"], world["liaison"], "A")
    with time_machine.travel(UNDER_SIX_YEARS, tick=False):
        close(bundle, world["staff"])

    retention()

    assert_untouched(bundle)


def test_an_open_case_is_never_anonymised_however_old(world):
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=800), tick=False):
        bundle = build(world["staff"], world["force"], world["liaison"], "A")

    retention()

    assert_untouched(bundle)
    assert Case.objects.get(pk=bundle.case.pk).support_status == "active"


def test_a_client_with_another_open_case_keeps_their_identity(world):
    due = make(world, OVER_SIX_YEARS, "A")
    open_case = CaseFactory(
        client=due.client, opened_by=world["staff"], offence_types=["harassment"]
    )
    note_add(case=open_case, author=world["staff"], body="Still in touch.", visibility="internal")

    output = retention()

    assert "Anonymised 1 case(s), 0 referral(s) and 0 client(s)." in output
    assert_case_anonymised(due)
    assert_identity_kept(due)
    open_case.refresh_from_db()
    assert open_case.anonymised_at is None
    assert Note.objects.get(case=open_case).body == "Still in touch."


def test_an_organisation_with_a_shorter_period_anonymises_sooner(
    world, police_force, police_liaison
):
    brief = OrganisationFactory(retention_years=1)
    brief_staff = UserFactory(organisation=brief)
    usual = make(world, OVER_ONE_YEAR, "A")
    shorter = closed_at(OVER_ONE_YEAR, brief_staff, police_force, police_liaison, "B")

    retention()

    assert_case_anonymised(shorter)
    assert_client_anonymised(shorter)
    assert_untouched(usual)


def test_a_second_run_finds_nothing_more_to_do(world):
    make(world, OVER_SIX_YEARS, "A")
    retention()
    after = fingerprint()

    output = retention()

    assert "Anonymised 0 case(s), 0 referral(s) and 0 client(s)." in output
    assert fingerprint() == after


def test_the_retention_task_body_does_the_same(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")

    result = apply_retention.run()

    assert result == {"cases": 1, "clients": 1, "referrals": 0, "clients_without_a_case": 0}
    assert_case_anonymised(due)
    assert_client_anonymised(due)
    assert_untouched(kept)
    assert_audit_clean(due)


def test_free_text_beyond_the_case_record_goes_too(world):
    """A hearing's date-change reason and a reminder's snooze reason are free text about the
    client like any note (the anonymiser promises "every free-text field")."""
    moved = "Adjourned: she is in the Women's Aid refuge in Bradford"
    snoozed = "In hospital after the assault by Pike until the 20th"
    staff = world["staff"]
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=2), tick=False):
        bundle = build(staff, world["force"], world["liaison"], "A")
        hearing = CourtEventFactory(
            case=bundle.case,
            actor=staff,
            hearing_type="trial",
            court="Leeds Crown Court",
            starts_at=timezone.now() + timedelta(days=20),
        )
        court_event_update(
            event=hearing,
            actor=staff,
            starts_at=timezone.now() + timedelta(days=40),
            date_change_reason=moved,
        )
        reminder = Reminder.objects.create(
            organisation=staff.organisation,
            kind="court_date",
            case=bundle.case,
            assignee=staff,
            due_at=timezone.now() + timedelta(days=1),
            dedup_key=f"test:{bundle.case.pk}",
        )
        reminder_snooze(
            reminder=reminder, by=staff, until=timezone.now() + timedelta(days=2), reason=snoozed
        )
        close(bundle, staff)

    retention()

    assert Case.objects.get(pk=bundle.case.pk).anonymised_at is not None
    kept = {
        "date change reason": list(
            CourtEventDateChange.objects.filter(event__case=bundle.case).values_list(
                "reason", flat=True
            )
        ),
        "snooze reason": list(
            Reminder.objects.filter(case=bundle.case).values_list("snooze_reason", flat=True)
        ),
    }
    assert moved not in kept["date change reason"], kept
    assert snoozed not in kept["snooze reason"], kept


def test_anonymisation_ends_police_access_to_the_case(world):
    due = make(world, OVER_SIX_YEARS, "A")
    retention()
    share = SharedCase.objects.get(pk=due.share.pk)
    assert share.status == "ended"
