"""Clients through the API: identity fields only on the audited detail, strict input, visibility
narrowed to the cases a person works, and exact-match look-up by phone or email."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.models import Client
from casework.clients.services import contact_method_retire

from ..conftest import client_for
from ..editing import edit
from ..factories import (
    CaseFactory,
    ClientFactory,
    ContactMethodFactory,
    OrganisationFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"
LOOKUP = "/api/v1/clients/lookup/"

NEW = {
    "pseudonym": "Jade",
    "legal_name": "Jacqueline Example",
    "date_of_birth": "1990-04-12",
    "pronouns": "she/her",
    "languages": ["en", "ro"],
    "interpreter_needed": True,
    "interpreter_language": "Romanian",
    "work_settings": ["street", "indoor"],
    "vulnerability_flags": ["substance_use"],
}

LIST_FIELDS = {"id", "pseudonym", "pronouns", "work_settings", "created_at"}


def detail_url(client_id) -> str:
    return f"{URL}{client_id}/"


def listed_ids(api) -> set[str]:
    response = api.get(URL)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def assert_validation_error(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"]
    assert body["request_id"]
    assert field in body["fields"], body
    assert all(isinstance(message, str) for message in body["fields"][field])


# Creating, reading and changing


def test_caseworker_creates_a_client_and_the_detail_shows_identity_fields(
    as_caseworker, caseworker, charity
):
    response = as_caseworker.post(URL, NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pseudonym"] == "Jade"
    assert body["legal_name"] == "Jacqueline Example"
    assert body["date_of_birth"] == "1990-04-12"
    assert body["interpreter_language"] == "Romanian"
    assert sorted(body["work_settings"]) == ["indoor", "street"]
    assert body["vulnerability_flags"] == ["substance_use"]
    saved = Client.objects.get(pk=body["id"])
    assert saved.organisation == charity and saved.created_by == caseworker
    assert saved.legal_name == "Jacqueline Example"

    detail = as_caseworker.get(detail_url(body["id"]))
    assert detail.status_code == 200
    assert detail.json()["legal_name"] == "Jacqueline Example"
    assert detail.json()["date_of_birth"] == "1990-04-12"


def test_the_pseudonym_is_stored_trimmed(as_caseworker):
    response = as_caseworker.post(URL, {"pseudonym": "  Jade  "})
    assert response.status_code == 201
    assert Client.objects.get(pk=response.json()["id"]).pseudonym == "Jade"


def test_the_list_shows_only_the_pseudonym_and_non_identifying_fields(as_caseworker):
    created = as_caseworker.post(URL, NEW).json()
    response = as_caseworker.get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [created["id"]]
    assert set(rows[0]) == LIST_FIELDS
    assert "legal_name" not in rows[0] and "date_of_birth" not in rows[0]
    assert "Jacqueline" not in response.content.decode()


def test_reading_a_clients_detail_is_audited(as_caseworker, caseworker):
    client_id = as_caseworker.post(URL, NEW).json()["id"]
    assert not AuditEvent.objects.filter(action="client.read", object_id=client_id).exists()
    assert as_caseworker.get(detail_url(client_id)).status_code == 200
    events = AuditEvent.objects.filter(action="client.read", object_id=client_id)
    assert events.count() == 1
    assert events.get().actor == caseworker


def test_listing_clients_does_not_record_a_read_of_each(as_caseworker):
    as_caseworker.post(URL, NEW)
    assert as_caseworker.get(URL).status_code == 200
    assert not AuditEvent.objects.filter(action="client.read").exists()


def test_a_refused_detail_read_is_not_audited_as_a_read(as_supervisor, other_charity):
    outsider = ClientFactory(created_by=SupervisorFactory(organisation=other_charity))
    assert as_supervisor.get(detail_url(outsider.id)).status_code == 404
    assert not AuditEvent.objects.filter(action="client.read", object_id=str(outsider.id)).exists()


def test_patch_changes_only_the_fields_sent(as_caseworker):
    client_id = as_caseworker.post(URL, NEW).json()["id"]
    response = edit(
        as_caseworker, detail_url(client_id), {"pseudonym": "Jade R", "work_settings": ["online"]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["pseudonym"] == "Jade R"
    assert response.json()["work_settings"] == ["online"]
    assert response.json()["legal_name"] == "Jacqueline Example"
    saved = Client.objects.get(pk=client_id)
    assert saved.pseudonym == "Jade R" and saved.work_settings == ["online"]
    assert saved.legal_name == "Jacqueline Example"
    assert AuditEvent.objects.filter(action="client.update", object_id=client_id).exists()


def test_patch_can_clear_the_interpreter_need(as_caseworker):
    client_id = as_caseworker.post(URL, NEW).json()["id"]
    response = edit(
        as_caseworker,
        detail_url(client_id),
        {"interpreter_needed": False, "interpreter_language": ""},
    )
    assert response.status_code == 200, response.json()
    saved = Client.objects.get(pk=client_id)
    assert saved.interpreter_needed is False and saved.interpreter_language == ""


def test_a_pseudonym_of_exactly_100_characters_is_accepted(as_caseworker):
    response = as_caseworker.post(URL, {"pseudonym": "p" * 100})
    assert response.status_code == 201, response.json()


# Bad input: a message per field, and nothing saved

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"work_settings": ["street", "sauna-boat"]}, "work_settings"),
        ({"vulnerability_flags": ["unlucky"]}, "vulnerability_flags"),
        ({"date_of_birth": TOMORROW}, "date_of_birth"),
        ({"date_of_birth": "12/04/1990"}, "date_of_birth"),
        ({"interpreter_needed": True, "interpreter_language": ""}, "interpreter_language"),
        ({"pseudonym": "p" * 101}, "pseudonym"),
        ({"pseudonym": ""}, "pseudonym"),
        ({"legal_name": "n" * 201}, "legal_name"),
        ({"organisation": "00000000-0000-0000-0000-000000000000"}, "organisation"),
        ({"support_status": "closed"}, "support_status"),
    ],
)
def test_bad_input_on_create_is_refused_per_field_and_nothing_is_saved(
    as_caseworker, changes, field
):
    payload = {**NEW, "interpreter_needed": False, "interpreter_language": "", **changes}
    response = as_caseworker.post(URL, payload)
    assert_validation_error(response, field)
    assert not Client.objects.exists()
    assert not AuditEvent.objects.filter(action="client.create").exists()


def test_interpreter_needed_without_a_language_is_refused_on_create(as_caseworker):
    response = as_caseworker.post(URL, {"pseudonym": "Jade", "interpreter_needed": True})
    assert_validation_error(response, "interpreter_language")
    assert not Client.objects.exists()


def test_a_missing_pseudonym_is_refused(as_caseworker):
    response = as_caseworker.post(URL, {"legal_name": "Someone"})
    assert_validation_error(response, "pseudonym")
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"work_settings": ["nowhere"]}, "work_settings"),
        ({"date_of_birth": TOMORROW}, "date_of_birth"),
        ({"interpreter_language": ""}, "interpreter_language"),
        ({"pseudonym": "p" * 101}, "pseudonym"),
        ({"organisation": "00000000-0000-0000-0000-000000000000"}, "organisation"),
        ({"created_by": "someone"}, "created_by"),
    ],
)
def test_bad_input_on_patch_is_refused_per_field_and_nothing_changes(
    as_caseworker, charity, changes, field
):
    client_id = as_caseworker.post(URL, NEW).json()["id"]
    response = edit(as_caseworker, detail_url(client_id), {"pronouns": "they/them", **changes})
    assert_validation_error(response, field)
    saved = Client.objects.get(pk=client_id)
    assert saved.pronouns == "she/her"
    assert saved.pseudonym == "Jade"
    assert saved.date_of_birth.isoformat() == "1990-04-12"
    assert saved.interpreter_language == "Romanian"
    assert saved.organisation == charity
    assert not AuditEvent.objects.filter(action="client.update").exists()


def test_an_unknown_field_is_named_in_the_refusal(as_caseworker, other_charity):
    response = as_caseworker.post(URL, {"pseudonym": "Jade", "organisation": str(other_charity.id)})
    assert_validation_error(response, "organisation")
    assert list(response.json()["fields"]) == ["organisation"]
    assert not Client.objects.exists()


# Visibility


def test_a_caseworker_sees_clients_of_cases_they_are_assigned_to(
    as_caseworker, caseworker, supervisor, charity
):
    assigned = ClientFactory(created_by=supervisor, pseudonym="Assigned")
    CaseFactory(client=assigned, opened_by=supervisor, assigned_to=[caseworker])
    assert listed_ids(as_caseworker) == {str(assigned.id)}
    assert as_caseworker.get(detail_url(assigned.id)).status_code == 200
    assert edit(as_caseworker, detail_url(assigned.id), {"pronouns": "he/him"}).status_code == 200


def test_a_caseworker_sees_clients_they_registered_that_have_no_case_yet(
    as_caseworker, caseworker, charity
):
    own = ClientFactory(created_by=caseworker, pseudonym="Mine")
    assert listed_ids(as_caseworker) == {str(own.id)}
    assert as_caseworker.get(detail_url(own.id)).status_code == 200


def test_a_caseworker_does_not_see_other_clients_of_their_charity(
    as_caseworker, caseworker, supervisor, charity
):
    colleague = UserFactory(organisation=charity)
    registered_by_colleague = ClientFactory(created_by=colleague, pseudonym="Theirs")
    with_colleagues_case = ClientFactory(created_by=supervisor, pseudonym="Their case")
    CaseFactory(client=with_colleagues_case, opened_by=supervisor, assigned_to=[colleague])
    unassigned_case = ClientFactory(created_by=supervisor, pseudonym="Nobody's")
    CaseFactory(client=unassigned_case, opened_by=supervisor)
    own = ClientFactory(created_by=caseworker, pseudonym="Mine")

    assert listed_ids(as_caseworker) == {str(own.id)}
    for hidden in (registered_by_colleague, with_colleagues_case, unassigned_case):
        assert as_caseworker.get(detail_url(hidden.id)).status_code == 404
        patch = edit(as_caseworker, detail_url(hidden.id), {"pronouns": "x"})
        assert patch.status_code == 404
    hidden_pronouns = Client.objects.filter(pk=registered_by_colleague.pk).values_list(
        "pronouns", flat=True
    )
    assert list(hidden_pronouns) == [""]


def test_a_registered_client_leaves_view_once_a_case_is_opened_for_someone_else(
    as_caseworker, caseworker, supervisor, charity
):
    own = ClientFactory(created_by=caseworker, pseudonym="Mine")
    colleague = UserFactory(organisation=charity)
    CaseFactory(client=own, opened_by=supervisor, assigned_to=[colleague])
    assert listed_ids(as_caseworker) == set()
    assert as_caseworker.get(detail_url(own.id)).status_code == 404


def test_an_isva_sees_clients_of_their_cases_only(as_isva, isva, supervisor, charity):
    theirs = ClientFactory(created_by=supervisor, pseudonym="ISVA's")
    CaseFactory(client=theirs, opened_by=supervisor, assigned_to=[isva])
    ClientFactory(created_by=supervisor, pseudonym="Someone else's")
    assert listed_ids(as_isva) == {str(theirs.id)}


def test_a_supervisor_sees_every_client_of_their_charity(
    as_supervisor, caseworker, supervisor, charity
):
    colleague = UserFactory(organisation=charity)
    clients = [
        ClientFactory(created_by=caseworker, pseudonym="One"),
        ClientFactory(created_by=colleague, pseudonym="Two"),
        ClientFactory(created_by=supervisor, pseudonym="Three"),
    ]
    CaseFactory(client=clients[1], opened_by=supervisor, assigned_to=[colleague])
    elsewhere = SupervisorFactory(organisation=OrganisationFactory())
    ClientFactory(created_by=elsewhere, pseudonym="Elsewhere")
    assert listed_ids(as_supervisor) == {str(c.id) for c in clients}
    for client in clients:
        assert as_supervisor.get(detail_url(client.id)).status_code == 200


@pytest.mark.parametrize("fixture", ["as_supervisor", "as_caseworker"])
def test_staff_of_another_charity_cannot_see_or_change_a_client(
    request, fixture, other_charity, charity
):
    api = request.getfixturevalue(fixture)
    outsider_staff = SupervisorFactory(organisation=other_charity)
    outsider = ClientFactory(created_by=outsider_staff, pseudonym="Outsider")
    assert str(outsider.id) not in listed_ids(api)
    assert api.get(detail_url(outsider.id)).status_code == 404
    assert edit(api, detail_url(outsider.id), {"pronouns": "x"}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.pronouns == ""


def test_a_client_created_by_a_caseworker_belongs_to_their_charity_not_another(
    as_caseworker, other_charity
):
    client_id = as_caseworker.post(URL, {"pseudonym": "Jade"}).json()["id"]
    outsider = client_for(SupervisorFactory(organisation=other_charity))
    assert outsider.get(detail_url(client_id)).status_code == 404
    assert client_id not in listed_ids(outsider)


def test_the_client_list_query_count_does_not_grow_with_the_page(
    as_supervisor, supervisor, charity, django_assert_num_queries
):
    ClientFactory(created_by=supervisor, pseudonym="First")
    with CaptureQueriesContext(connection) as small:
        assert len(as_supervisor.get(URL).json()["results"]) == 1
    for n in range(20):
        ClientFactory(created_by=supervisor, pseudonym=f"Client {n}")
    with django_assert_num_queries(len(small.captured_queries)):
        response = as_supervisor.get(URL)
    assert len(response.json()["results"]) == 21


def test_a_malformed_client_id_is_not_found(as_supervisor):
    assert as_supervisor.get(detail_url("not-a-uuid")).status_code == 404


def test_police_liaison_is_refused_every_client_endpoint(as_police, supervisor, charity):
    client = ClientFactory(created_by=supervisor, pseudonym="Private")
    assert as_police.get(URL).status_code == 403
    assert as_police.post(URL, {"pseudonym": "Sneaky"}).status_code == 403
    assert as_police.get(detail_url(client.id)).status_code == 403
    assert edit(as_police, detail_url(client.id), {"pronouns": "x"}).status_code == 403
    assert as_police.post(LOOKUP, {"phone": "07700 900123"}).status_code == 403
    assert Client.objects.count() == 1


def test_api_keys_are_not_accepted_on_client_endpoints(as_charity_key, supervisor, charity):
    client = ClientFactory(created_by=supervisor, pseudonym="Private")
    for response in (
        as_charity_key.get(URL),
        as_charity_key.post(URL, {"pseudonym": "Sneaky"}),
        as_charity_key.get(detail_url(client.id)),
        edit(as_charity_key, detail_url(client.id), {"pronouns": "x"}),
        as_charity_key.post(LOOKUP, {"phone": "07700 900123"}),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert Client.objects.count() == 1


def test_anonymous_callers_are_refused(anonymous):
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(URL, {"pseudonym": "Sneaky"}).status_code == 401
    assert not Client.objects.exists()


def test_clients_cannot_be_deleted_through_the_api(as_supervisor, supervisor, charity):
    client = ClientFactory(created_by=supervisor, pseudonym="Stays")
    assert as_supervisor.delete(detail_url(client.id)).status_code == 405
    assert Client.objects.filter(pk=client.pk).exists()


# Look-up by phone or email


@pytest.fixture
def reachable(caseworker, charity):
    """A client the caseworker registered, with a mobile and an email."""
    client = ClientFactory(created_by=caseworker, pseudonym="Reachable")
    ContactMethodFactory(client=client, kind="mobile", value="07700 900123")
    ContactMethodFactory(client=client, kind="email", value="Sam.Client@Example.org")
    return client


@pytest.mark.parametrize(
    "phone", ["07700 900123", "+44 7700 900123", "+447700900123", "07700900123", "(07700) 900-123"]
)
def test_lookup_finds_a_client_by_any_formatting_of_their_phone(as_caseworker, reachable, phone):
    response = as_caseworker.post(LOOKUP, {"phone": phone})
    assert response.status_code == 200, response.json()
    assert response.json() == [{"id": str(reachable.id), "pseudonym": "Reachable"}]


@pytest.mark.parametrize(
    "email", ["sam.client@example.org", "SAM.CLIENT@EXAMPLE.ORG", "  Sam.Client@example.ORG "]
)
def test_lookup_finds_a_client_by_email_whatever_its_case(as_caseworker, reachable, email):
    response = as_caseworker.post(LOOKUP, {"email": email})
    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()] == [str(reachable.id)]


def test_lookup_finds_nothing_for_a_different_number_or_address(as_caseworker, reachable):
    assert as_caseworker.post(LOOKUP, {"phone": "07700 900124"}).json() == []
    assert as_caseworker.post(LOOKUP, {"email": "sam.client@example.com"}).json() == []


def test_lookup_shows_no_identity_fields(as_caseworker, reachable):
    rows = as_caseworker.post(LOOKUP, {"phone": "07700 900123"}).json()
    assert set(rows[0]) == {"id", "pseudonym"}


def test_lookup_finds_a_client_through_a_retired_method(as_caseworker, caseworker, charity):
    client = ClientFactory(created_by=caseworker, pseudonym="Moved on")
    old = ContactMethodFactory(client=client, kind="mobile", value="07700900555")
    contact_method_retire(method=old, retired_by=caseworker, reason="Phone lost")
    response = as_caseworker.post(LOOKUP, {"phone": "+44 7700 900555"})
    assert [row["id"] for row in response.json()] == [str(client.id)]


def test_lookup_matches_a_mobile_number_recorded_as_a_landline(as_caseworker, caseworker, charity):
    client = ClientFactory(created_by=caseworker, pseudonym="Landline")
    ContactMethodFactory(client=client, kind="landline", value="07700900777")
    response = as_caseworker.post(LOOKUP, {"phone": "07700 900777"})
    assert [row["id"] for row in response.json()] == [str(client.id)]


def test_lookup_lists_a_client_once_even_with_two_matching_methods(
    as_caseworker, caseworker, reachable
):
    ContactMethodFactory(client=reachable, kind="landline", value="+447700900123")
    response = as_caseworker.post(LOOKUP, {"phone": "07700 900123"})
    assert [row["id"] for row in response.json()] == [str(reachable.id)]


def test_lookup_only_searches_clients_the_caller_can_see(
    as_caseworker, caseworker, supervisor, charity, reachable
):
    colleague = UserFactory(organisation=charity)
    hidden = ClientFactory(created_by=colleague, pseudonym="Colleague's")
    ContactMethodFactory(client=hidden, kind="mobile", value="07700 900123")
    elsewhere_staff = SupervisorFactory(organisation=OrganisationFactory())
    elsewhere = ClientFactory(created_by=elsewhere_staff, pseudonym="Elsewhere")
    ContactMethodFactory(client=elsewhere, kind="mobile", value="07700 900123")

    found = {row["id"] for row in as_caseworker.post(LOOKUP, {"phone": "07700900123"}).json()}
    assert found == {str(reachable.id)}

    as_supervisor = client_for(supervisor)
    found = {row["id"] for row in as_supervisor.post(LOOKUP, {"phone": "07700900123"}).json()}
    assert found == {str(reachable.id), str(hidden.id)}

    as_elsewhere = client_for(elsewhere_staff)
    found = {row["id"] for row in as_elsewhere.post(LOOKUP, {"phone": "07700900123"}).json()}
    assert found == {str(elsewhere.id)}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": "", "email": ""},
        {"phone": "07700 900123", "email": "sam.client@example.org"},
    ],
)
def test_lookup_needs_exactly_one_of_phone_or_email(as_caseworker, reachable, body):
    response = as_caseworker.post(LOOKUP, body)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert response.json()["fields"]


@pytest.mark.parametrize("phone", ["not a phone", "12", "+44 7700 900123 999 999"])
def test_lookup_refuses_a_phone_it_cannot_read(as_caseworker, reachable, phone):
    response = as_caseworker.post(LOOKUP, {"phone": phone})
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert "fields" in response.json()


@pytest.mark.parametrize(
    "email", ["not-an-email", "sam.client@example.org\r\nBcc: all@example.org", "@example.org"]
)
def test_lookup_refuses_an_email_it_cannot_read(as_caseworker, reachable, email):
    response = as_caseworker.post(LOOKUP, {"email": email})
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"


def test_lookup_refuses_an_unknown_field(as_caseworker, reachable):
    response = as_caseworker.post(LOOKUP, {"phone": "07700 900123", "name": "Reachable"})
    assert_validation_error(response, "name")


def test_lookup_is_not_served_over_get(as_caseworker, reachable):
    assert as_caseworker.get(LOOKUP, {"phone": "07700900123"}).status_code == 405
