"""Reading a case is audited and carries its ETag; an edit under a stale If-Match, of fields
outside the edit, or of a closed case is refused and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent

from ...editing import edit
from ...factories import CaseFactory
from .world import _detail, _set_support

pytestmark = pytest.mark.django_db


def test_the_case_detail_carries_its_etag(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_caseworker.get(_detail(case))
    assert response.status_code == 200
    assert response["ETag"] == f'"{case.id}-1"'
    assert response.json()["etag"] == response["ETag"]


def test_reading_a_case_is_audited(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert not AuditEvent.objects.filter(action="case.read").exists()
    as_caseworker.get(_detail(case))
    event = AuditEvent.objects.get(action="case.read")
    assert event.actor == caseworker
    assert event.case_id == case.id
    assert event.object_id == str(case.id)


def test_an_edit_with_the_current_etag_succeeds_and_bumps_the_version(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    etag = as_caseworker.get(_detail(case))["ETag"]
    response = edit(as_caseworker, _detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert response["ETag"] == f'"{case.id}-2"'
    case.refresh_from_db()
    assert case.risk_level == "high" and case.version == 2


def test_an_edit_with_a_stale_etag_is_refused_and_changes_nothing(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    stale = as_caseworker.get(_detail(case))["ETag"]
    first = edit(as_caseworker, _detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=stale)
    assert first.status_code == 200
    response = edit(
        as_caseworker,
        _detail(case),
        {"risk_level": "medium", "incident_area": "Leeds"},
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    case.refresh_from_db()
    assert (case.risk_level, case.incident_area, case.version) == ("high", "", 2)


def test_an_etag_of_another_case_is_stale(as_caseworker, caseworker):
    case, other = CaseFactory(opened_by=caseworker), CaseFactory(opened_by=caseworker)
    response = edit(
        as_caseworker, _detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=f'"{other.id}-1"'
    )
    assert response.status_code == 412
    case.refresh_from_db()
    assert case.risk_level == "standard" and case.version == 1


def test_an_edit_without_if_match_is_accepted(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = edit(as_caseworker, _detail(case), {"incident_area": "Harehills"})
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.incident_area == "Harehills" and case.version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("support_status", "active"), ("organisation", "x"), ("justice_stage", "reported")],
)
def test_fields_outside_the_edit_are_refused_and_nothing_changes(
    as_caseworker, caseworker, field, value
):
    case = CaseFactory(opened_by=caseworker)
    response = edit(as_caseworker, _detail(case), {field: value, "risk_level": "high"})
    assert response.status_code == 400
    assert field in response.json()["fields"]
    case.refresh_from_db()
    assert case.support_status == "referred"
    assert case.justice_stage == "none"
    assert case.risk_level == "standard" and case.version == 1


def test_an_incident_date_in_the_future_is_refused(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = edit(as_caseworker, _detail(case), {"incident_date": str(tomorrow)})
    assert response.status_code == 400
    assert "incident_date" in response.json()["fields"]
    case.refresh_from_db()
    assert case.incident_date is None and case.version == 1


def test_a_closed_case_cannot_be_edited(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    _set_support(case, "closed")
    response = edit(as_caseworker, _detail(case), {"risk_level": "high"})
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    case.refresh_from_db()
    assert case.risk_level == "standard" and case.version == 1
