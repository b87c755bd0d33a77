"""The console's pages cost a fixed number of queries however much they show: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..api.police_sharing.world import open_case
from ..factories import CaseFactory, ContactLogEntryFactory, SharedCaseFactory
from .world import console_for

pytestmark = pytest.mark.django_db


def queries(console, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert console.get(path).status_code == 200
    return len(captured)


def test_the_caseload_costs_the_same_for_one_case_or_many(caseworker):
    CaseFactory(opened_by=caseworker, support="active")
    console = console_for(caseworker)
    one = queries(console, "/app/caseload/")
    for _ in range(4):
        CaseFactory(opened_by=caseworker, support="active")
    assert queries(console, "/app/caseload/") == one


def test_the_case_page_costs_the_same_however_long_its_history(caseworker, police_force):
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=police_force)
    console = console_for(caseworker)
    path = f"/app/cases/{case.pk}/"
    before = queries(console, path)
    for _ in range(5):
        ContactLogEntryFactory(case=case)
    assert queries(console, path) == before


def test_the_shared_cases_cost_the_same_for_one_share_or_many(caseworker, police_liaison):
    force = police_liaison.organisation
    SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=force)
    police = console_for(police_liaison)
    one = queries(police, "/app/shared/")
    for _ in range(3):
        SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=force)
    assert queries(police, "/app/shared/") == one
