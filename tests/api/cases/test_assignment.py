"""Assignment: only supervisors assign and unassign, only their own charity's staff, and a
colleague gains or loses the case at once."""

import pytest

from casework.cases.models import CaseAssignment

from ...conftest import client_for
from ...factories import CaseFactory, IsvaFactory, UserFactory
from .world import URL, _detail, _ids, _transition

pytestmark = pytest.mark.django_db


def test_after_unassignment_the_caseworker_loses_the_case_at_once(
    as_supervisor, as_caseworker, caseworker
):
    case = CaseFactory(opened_by=caseworker)
    assert as_caseworker.get(_detail(case)).status_code == 200
    response = as_supervisor.post(f"{_detail(case)}unassign/", {"user": str(caseworker.id)})
    assert response.status_code == 200, response.json()
    assert response.json()["assignments"] == []
    assert as_caseworker.get(_detail(case)).status_code == 404
    assert _ids(as_caseworker.get(URL)) == []
    assert _transition(as_caseworker, case, "support", "triage").status_code == 404
    assert not CaseAssignment.objects.filter(case=case, user=caseworker).exists()


def test_after_assignment_the_colleague_sees_the_case(as_supervisor, supervisor, isva):
    case = CaseFactory(opened_by=supervisor)
    theirs = client_for(isva)
    assert theirs.get(_detail(case)).status_code == 404
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(isva.id)})
    assert response.status_code == 200, response.json()
    assert [(a["user"]["id"], a["role"]) for a in response.json()["assignments"]] == [
        (str(isva.id), "isva")
    ]
    assert theirs.get(_detail(case)).status_code == 200
    assert _ids(theirs.get(URL)) == [str(case.id)]


@pytest.mark.parametrize("action", ["assign", "unassign"])
def test_only_supervisors_assign_and_unassign(as_caseworker, caseworker, charity, action):
    case = CaseFactory(opened_by=caseworker)
    colleague = IsvaFactory(organisation=charity)
    target = colleague if action == "assign" else caseworker
    response = as_caseworker.post(f"{_detail(case)}{action}/", {"user": str(target.id)})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(case.assignments.values_list("user_id", flat=True)) == {caseworker.id}


def test_staff_of_another_charity_cannot_be_assigned(as_supervisor, supervisor, other_charity):
    case = CaseFactory(opened_by=supervisor)
    outsider = UserFactory(organisation=other_charity)
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(outsider.id)})
    assert response.status_code == 400
    assert "user" in response.json()["fields"]
    assert not CaseAssignment.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.version == 1


def test_assigning_someone_already_assigned_is_a_conflict(as_supervisor, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(caseworker.id)})
    assert response.status_code == 409
    assert CaseAssignment.objects.filter(case=case).count() == 1
