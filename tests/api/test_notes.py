"""Notes on a case: internal to the charity, never edited, never deleted."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.utils import timezone

from casework.cases.models import Note
from casework.cases.services.contacts import note_add

from ..conftest import client_for
from ..factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin")


def url(case, note_id=None) -> str:
    base = f"/api/v1/cases/{case.id}/notes/"
    return f"{base}{note_id}/" if note_id else base


def test_an_internal_note_is_created_and_listed(as_caseworker, case, caseworker):
    response = as_caseworker.post(
        url(case), {"body": "Prefers texts after 6pm", "visibility": "internal"}, format="json"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["body"] == "Prefers texts after 6pm"
    assert created["visibility"] == "internal"
    assert created["author"] == caseworker.username
    stored = Note.objects.get(pk=created["id"])
    assert (stored.case_id, stored.body, stored.author_id) == (
        case.id,
        "Prefers texts after 6pm",
        caseworker.id,
    )
    listed = as_caseworker.get(url(case))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]
    assert as_caseworker.get(url(case, created["id"])).json()["body"] == "Prefers texts after 6pm"


def test_a_note_without_a_visibility_is_internal(as_caseworker, case):
    response = as_caseworker.post(url(case), {"body": "Safe to call on Tuesdays"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["visibility"] == "internal"
    assert Note.objects.get().visibility == "internal"


def test_notes_are_listed_newest_first(as_caseworker, case, caseworker):
    start = timezone.now() - timedelta(hours=3)
    for hour, body in enumerate(["first", "second", "third"]):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            note_add(case=case, author=caseworker, body=body, visibility="internal")
    listed = as_caseworker.get(url(case)).json()["results"]
    assert [row["body"] for row in listed] == ["third", "second", "first"]


def test_a_shared_note_on_a_case_not_shared_with_police_is_refused_and_nothing_saved(
    as_caseworker, case
):
    response = as_caseworker.post(
        url(case), {"body": "For the police", "visibility": "shared"}, format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert "visibility" in body["fields"]
    assert body["request_id"]
    assert not Note.objects.exists()


def test_an_unknown_visibility_is_refused(as_caseworker, case):
    response = as_caseworker.post(url(case), {"body": "x", "visibility": "public"}, format="json")
    assert response.status_code == 400
    assert "visibility" in response.json()["fields"]
    assert not Note.objects.exists()


def test_the_database_refuses_to_update_a_note(case, caseworker):
    note = note_add(case=case, author=caseworker, body="Original", visibility="internal")
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(body="Rewritten")
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(visibility="shared")
    note.refresh_from_db()
    assert (note.body, note.visibility) == ("Original", "internal")


def test_the_database_refuses_to_delete_a_note(case, caseworker):
    note = note_add(case=case, author=caseworker, body="Keep me", visibility="internal")
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        Note.objects.filter(pk=note.pk).delete()
    assert Note.objects.filter(pk=note.pk).exists()


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_there_are_no_routes_to_change_or_remove_a_note(as_caseworker, case, caseworker, method):
    note = note_add(case=case, author=caseworker, body="Original", visibility="internal")
    response = getattr(as_caseworker, method)(url(case, note.pk), {"body": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    note.refresh_from_db()
    assert note.body == "Original"


def test_another_charitys_notes_are_not_found(as_caseworker, other_charity):
    outsider = UserFactory(organisation=other_charity)
    their_case = CaseFactory(opened_by=outsider, pseudonym="Robin")
    note = note_add(case=their_case, author=outsider, body="Theirs", visibility="internal")
    assert as_caseworker.get(url(their_case)).status_code == 404
    assert as_caseworker.get(url(their_case, note.pk)).status_code == 404
    response = as_caseworker.post(url(their_case), {"body": "Intruding"}, format="json")
    assert response.status_code == 404
    assert Note.objects.filter(case=their_case).count() == 1


def test_a_caseworker_not_assigned_to_the_case_gets_not_found(case, caseworker, charity):
    note = note_add(case=case, author=caseworker, body="Private", visibility="internal")
    colleague = client_for(UserFactory(organisation=charity))
    assert colleague.get(url(case)).status_code == 404
    assert colleague.get(url(case, note.pk)).status_code == 404
    assert colleague.post(url(case), {"body": "x"}, format="json").status_code == 404
    assert Note.objects.filter(case=case).count() == 1
