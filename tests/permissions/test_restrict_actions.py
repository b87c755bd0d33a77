"""``restrict(action=...)``: a read is checked against ``view_case``, a write against
``change_case``, and an action nobody defined is refused rather than read as a view."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseUserObjectPermission, Note
from casework.cases.services.contacts import note_add
from permissions.querysets import restrict

from ..conftest import client_for
from ..factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def view_only_case(caseworker):
    """A case the caseworker may read but no longer change: their ``change_case`` row is gone."""
    case = CaseFactory(opened_by=caseworker)
    removed, _ = CaseUserObjectPermission.objects.filter(
        user=caseworker, content_object=case, permission__codename="change_case"
    ).delete()
    assert removed == 1
    return case


def test_a_write_needs_change_case_where_a_read_needs_view_case(caseworker, view_only_case):
    cases = Case.objects.filter(pk=view_only_case.pk)
    assert list(restrict(cases, principal=caseworker, action="view")) == [view_only_case]
    assert list(restrict(cases, principal=caseworker, action="change")) == []


def test_records_of_a_case_follow_the_case_for_each_action(caseworker, view_only_case):
    note = note_add(case=view_only_case, author=caseworker, body="Seen", visibility="internal")
    notes = Note.objects.filter(pk=note.pk)
    assert list(restrict(notes, principal=caseworker, action="view")) == [note]
    assert list(restrict(notes, principal=caseworker, action="change")) == []


def test_a_case_that_may_be_read_but_not_changed_answers_404_to_a_change(
    caseworker, view_only_case
):
    api = client_for(caseworker)
    assert api.get(f"/api/v1/cases/{view_only_case.id}/").status_code == 200
    response = api.patch(
        f"/api/v1/cases/{view_only_case.id}/", {"risk_level": "high"}, format="json"
    )
    assert response.status_code == 404, response.json()
    view_only_case.refresh_from_db()
    assert view_only_case.risk_level != "high"


def test_nobody_may_change_the_audit_trail(supervisor, caseworker):
    CaseFactory(opened_by=caseworker)
    events = AuditEvent.objects.filter(organisation_id=supervisor.organisation_id)
    assert restrict(events, principal=supervisor, action="view").exists()
    assert not restrict(events, principal=supervisor, action="change").exists()


@pytest.mark.parametrize("action", ["list", "retrieve", "partial_update", "delete", ""])
def test_an_action_that_is_neither_view_nor_change_is_refused(caseworker, action):
    with pytest.raises(ImproperlyConfigured, match="Unknown action"):
        restrict(Case.objects.all(), principal=caseworker, action=action)
