"""Opening a case: the opener is assigned unless a supervisor, references count up per
organisation, and only a client and staff of one's own charity will do."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.cases.models import Case, CaseAssignment

from ...conftest import client_for
from ...factories import CaseFactory, ClientFactory, SupervisorFactory, UserFactory
from .world import URL, _detail

pytestmark = pytest.mark.django_db


def test_a_caseworker_opens_a_case_and_is_assigned_to_it(as_caseworker, caseworker, charity):
    client = ClientFactory(created_by=caseworker)
    response = as_caseworker.post(
        URL,
        {"client": str(client.id), "offence_types": ["theft", "robbery"], "risk_level": "medium"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["reference"] == f"{charity.code}-{year}-00001"
    assert re.fullmatch(rf"{charity.code}-\d{{4}}-\d{{5}}", body["reference"])
    assert body["support_status"] == "referred" and body["justice_stage"] == "none"
    assert [a["user"]["id"] for a in body["assignments"]] == [str(caseworker.id)]
    case = Case.objects.get(pk=body["id"])
    assert case.client == client and case.organisation == charity
    assert case.offence_types == ["robbery", "theft"]
    assert CaseAssignment.objects.filter(case=case, user=caseworker, role="caseworker").exists()
    assert as_caseworker.get(_detail(case)).status_code == 200


def test_a_supervisor_opening_a_case_is_not_assigned(as_supervisor, supervisor):
    client = ClientFactory(created_by=supervisor)
    response = as_supervisor.post(URL, {"client": str(client.id)})
    assert response.status_code == 201, response.json()
    assert response.json()["assignments"] == []


def test_references_count_up_per_organisation(as_supervisor, supervisor, other_charity):
    year = timezone.localdate().year
    code = supervisor.organisation.code
    references = [
        as_supervisor.post(
            URL, {"client": str(ClientFactory(created_by=supervisor, pseudonym=f"P{n}").id)}
        ).json()["reference"]
        for n in range(3)
    ]
    assert references == [f"{code}-{year}-{n:05d}" for n in (1, 2, 3)]
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    foreign_client = ClientFactory(created_by=theirs.principal)
    foreign = theirs.post(URL, {"client": str(foreign_client.id)}).json()["reference"]
    assert foreign == f"{other_charity.code}-{year}-00001"


def test_a_reference_is_unique_within_its_organisation(supervisor, other_charity):
    first, second = CaseFactory(opened_by=supervisor), CaseFactory(opened_by=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(reference=first.reference)
    # Another organisation may hold the same reference.
    theirs = CaseFactory(opened_by=SupervisorFactory(organisation=other_charity))
    Case.objects.filter(pk=theirs.pk).update(reference=first.reference)
    assert Case.objects.filter(reference=first.reference).count() == 2


def test_a_case_cannot_be_opened_for_a_client_you_cannot_see(as_supervisor, other_charity):
    foreign_client = ClientFactory(created_by=UserFactory(organisation=other_charity))
    response = as_supervisor.post(URL, {"client": str(foreign_client.id)})
    assert response.status_code == 400
    assert "client" in response.json()["fields"]
    assert not Case.objects.exists()


def test_opening_a_case_assigned_to_another_charitys_staff_is_refused(
    as_supervisor, supervisor, other_charity
):
    outsider = UserFactory(organisation=other_charity)
    response = as_supervisor.post(
        URL,
        {"client": str(ClientFactory(created_by=supervisor).id), "assigned_to": [str(outsider.id)]},
    )
    assert response.status_code == 400
    assert "assigned_to" in response.json()["fields"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["support_status", "organisation", "reference"])
def test_opening_a_case_refuses_fields_it_does_not_take(as_supervisor, supervisor, field):
    response = as_supervisor.post(
        URL, {"client": str(ClientFactory(created_by=supervisor).id), field: "x"}
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Case.objects.exists()
