"""Every case is visible to its assigned staff and its charity's supervisors only; police and
API keys do not use the cases API."""

import pytest

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseAssignment

from ...conftest import client_for
from ...editing import edit
from ...factories import CaseFactory, SupervisorFactory, UserFactory
from .world import URL, _detail, _ids, _transition

pytestmark = pytest.mark.django_db


def test_an_unassigned_caseworker_of_the_same_charity_cannot_see_the_case(
    as_caseworker, supervisor, charity
):
    case = CaseFactory(opened_by=supervisor)
    colleague_case = CaseFactory(opened_by=UserFactory(organisation=charity))
    response = as_caseworker.get(_detail(case))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert as_caseworker.get(_detail(colleague_case)).status_code == 404
    assert _ids(as_caseworker.get(URL)) == []
    assert edit(as_caseworker, _detail(case), {"risk_level": "high"}).status_code == 404
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not AuditEvent.objects.filter(action="case.read").exists()


def test_a_supervisor_sees_every_case_of_their_charity(as_supervisor, caseworker, isva):
    cases = {str(CaseFactory(opened_by=caseworker).id), str(CaseFactory(opened_by=isva).id)}
    assert set(_ids(as_supervisor.get(URL))) == cases
    for case_id in cases:
        assert as_supervisor.get(_detail(case_id)).status_code == 200


def test_another_charitys_supervisor_cannot_see_the_case(caseworker, other_charity):
    case = CaseFactory(opened_by=caseworker)
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert theirs.get(_detail(case)).status_code == 404
    assert _ids(theirs.get(URL)) == []
    assert _transition(theirs, case, "support", "triage").status_code == 404
    case.refresh_from_db()
    assert case.support_status == "referred"


def test_police_may_not_use_the_cases_api(as_police, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert as_police.get(URL).status_code == 403
    assert as_police.get(_detail(case)).status_code == 403
    assert as_police.post(URL, {"client": str(case.client_id)}).status_code == 403
    assert Case.objects.count() == 1


def test_an_api_key_may_not_use_the_cases_api(as_charity_key, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert as_charity_key.get(URL).status_code == 401
    assert as_charity_key.get(_detail(case)).status_code == 401


def test_a_supervisor_of_another_charity_cannot_assign_to_the_case(
    caseworker, other_charity, charity
):
    case = CaseFactory(opened_by=caseworker)
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    colleague = UserFactory(organisation=charity)
    assert theirs.post(f"{_detail(case)}assign/", {"user": str(colleague.id)}).status_code == 404
    assert CaseAssignment.objects.filter(case=case).count() == 1
