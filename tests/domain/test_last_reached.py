"""Each case keeps when its client was last reached, so that a caseload is put in order without
reading every contact log: the contact log's service moves it forward only, the refresh sets it
from the log, and the migration that added it filled it for the cases already there."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.cases.models import Case
from casework.cases.services.contacts import last_reached_refresh

from ..factories import CaseFactory, ContactLogEntryFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("casework.cases.migrations.0009_case_last_reached_at")


def last_reached(case) -> object:
    return Case.objects.values_list("last_reached_at", flat=True).get(pk=case.pk)


def test_a_reached_contact_moves_it_forward_and_nothing_else_does(caseworker):
    case = CaseFactory(opened_by=caseworker)
    now = timezone.now().replace(microsecond=0)
    assert last_reached(case) is None

    ContactLogEntryFactory(case=case, outcome="no_answer", occurred_at=now - timedelta(hours=5))
    assert last_reached(case) is None

    ContactLogEntryFactory(case=case, outcome="reached", occurred_at=now - timedelta(hours=4))
    assert last_reached(case) == now - timedelta(hours=4)

    # A meeting logged late, that happened before the call, leaves the later moment.
    ContactLogEntryFactory(case=case, outcome="met_in_person", occurred_at=now - timedelta(days=2))
    assert last_reached(case) == now - timedelta(hours=4)

    ContactLogEntryFactory(case=case, outcome="number_unavailable", occurred_at=now)
    assert last_reached(case) == now - timedelta(hours=4)

    ContactLogEntryFactory(case=case, outcome="met_in_person", occurred_at=now)
    assert last_reached(case) == now


def test_it_leaves_the_cases_version_alone(caseworker):
    case = CaseFactory(opened_by=caseworker)
    version = Case.objects.get(pk=case.pk).version
    ContactLogEntryFactory(case=case, outcome="reached")
    assert Case.objects.get(pk=case.pk).version == version


@pytest.fixture
def logged(caseworker):
    """Two cases with contact logs, and one with none, all with the stored moment wiped."""
    now = timezone.now().replace(microsecond=0)
    reached, tried, quiet = (CaseFactory(opened_by=caseworker) for _ in range(3))
    for hours, outcome in ((30, "reached"), (3, "met_in_person"), (1, "no_answer")):
        ContactLogEntryFactory(
            case=reached, outcome=outcome, occurred_at=now - timedelta(hours=hours)
        )
    ContactLogEntryFactory(case=tried, outcome="wrong_person", occurred_at=now)
    Case.objects.update(last_reached_at=now + timedelta(days=365))
    return {
        "reached": reached,
        "tried": tried,
        "quiet": quiet,
        "expected": now - timedelta(hours=3),
    }


def test_the_refresh_sets_it_again_from_the_contact_log(logged):
    assert last_reached_refresh(Case.objects.all()) == 3
    assert last_reached(logged["reached"]) == logged["expected"]
    assert last_reached(logged["tried"]) is None
    assert last_reached(logged["quiet"]) is None


def test_the_migration_filled_it_from_the_contact_log(logged):
    Case.objects.update(last_reached_at=None)
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.BACKFILL)
    assert last_reached(logged["reached"]) == logged["expected"]
    assert last_reached(logged["tried"]) is None
    assert last_reached(logged["quiet"]) is None
