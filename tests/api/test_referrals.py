"""Referrals: how a case arrives. Staff and integrations send them in (safely retried with an
Idempotency-Key); staff accept them into a case, or decline them with a reason."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, Referral
from casework.clients.models import Client, ContactMethod
from casework.core.models import IdempotencyRecord

from ..conftest import client_for, client_for_key
from ..factories import ClientFactory, SupervisorFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"

VALID = {
    "source": "self_referral",
    "summary": "Robbed by a punter after a booking on Tuesday night.",
    "offence_types": ["robbery", "physical_assault"],
    "urgency": "priority",
    "person_pseudonym": "Jo",
    "contact_kind": "mobile",
    "contact_value": "07700 900123",
    "contact_safe_to_call": False,
    "contact_safe_to_text": True,
    "contact_safe_to_voicemail": False,
    "contact_safe_times": [{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}],
}


def _detail(referral_id) -> str:
    return f"{URL}{referral_id}/"


def _referral(api, **overrides) -> dict:
    response = api.post(URL, {**VALID, **overrides})
    assert response.status_code == 201, response.json()
    return response.json()


def _accept_new(api, referral_id, pseudonym="Jo", **extra):
    return api.post(
        f"{_detail(referral_id)}accept/", {"new_client": {"pseudonym": pseudonym}, **extra}
    )


# --- who may send and read referrals -------------------------------------------------------


@pytest.mark.parametrize("fixture", ["as_caseworker", "as_isva", "as_supervisor"])
def test_charity_staff_create_a_referral_for_their_own_charity(request, fixture, charity):
    api = request.getfixturevalue(fixture)
    body = _referral(api)
    assert body["status"] == "new"
    assert body["contact_value"] == "+447700900123"
    referral = Referral.objects.get(pk=body["id"])
    assert referral.organisation == charity
    assert referral.created_by == api.principal
    assert referral.created_by_api_key is None


def test_an_api_key_with_referrals_write_creates_a_referral(as_charity_key, charity_key, charity):
    body = _referral(as_charity_key)
    referral = Referral.objects.get(pk=body["id"])
    assert referral.organisation == charity
    assert referral.created_by_api_key == charity_key[0]
    assert referral.created_by is None


def test_an_api_key_cannot_list_or_read_referrals(as_charity_key, as_caseworker):
    existing = _referral(as_caseworker)
    listed = as_charity_key.get(URL)
    assert listed.status_code == 403
    assert listed.json()["code"] == "permission_denied"
    assert as_charity_key.get(_detail(existing["id"])).status_code == 403


def test_an_api_key_without_the_referrals_scope_cannot_create(police_force):
    _, secret = make_api_key(police_force)  # shared-cases:read only
    response = client_for_key(secret).post(URL, VALID)
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_police_may_not_create_list_or_read_referrals(as_police, as_caseworker):
    existing = _referral(as_caseworker)
    assert as_police.post(URL, VALID).status_code == 403
    assert as_police.get(URL).status_code == 403
    assert as_police.get(_detail(existing["id"])).status_code == 403
    assert Referral.objects.count() == 1


def test_anonymous_callers_cannot_create_referrals(anonymous):
    assert anonymous.post(URL, VALID).status_code == 401
    assert not Referral.objects.exists()


# --- Idempotency-Key -----------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_body_returns_the_first_referral(as_charity_key):
    first = as_charity_key.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="form-123")
    again = as_charity_key.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="form-123")
    assert first.status_code == 201, first.json()
    assert again.status_code == 201, again.json()
    assert again.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused_and_creates_nothing(as_caseworker):
    first = as_caseworker.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    response = as_caseworker.post(
        URL, {**VALID, "summary": "Something else entirely."}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert set(response.json()) == {"code", "message", "request_id"}
    assert [str(pk) for pk in Referral.objects.values_list("pk", flat=True)] == [first.json()["id"]]


def test_different_principals_may_use_the_same_key_independently(
    as_charity_key, as_caseworker, as_isva
):
    ids = {
        api.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="shared-key").json()["id"]
        for api in (as_charity_key, as_caseworker, as_isva)
    }
    assert len(ids) == 3
    assert Referral.objects.count() == 3
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 3


def test_without_a_key_each_post_creates_a_referral(as_charity_key):
    _referral(as_charity_key)
    _referral(as_charity_key)
    assert Referral.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_an_empty_or_overlong_key_is_refused(as_charity_key, key):
    response = as_charity_key.post(URL, VALID, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Referral.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_with_one_key_create_exactly_one_referral(caseworker):
    apis = [client_for(caseworker), client_for(caseworker)]
    barrier = threading.Barrier(len(apis))
    results: list = [None] * len(apis)

    def post(index, api):
        try:
            barrier.wait(timeout=10)
            response = api.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="race-1")
            results[index] = (response.status_code, response.json())
        except Exception as error:  # reported below, in the main thread
            results[index] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, api)) for i, api in enumerate(apis)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [status for status, _ in results] == [201, 201], results
    assert results[0][1]["id"] == results[1][1]["id"]
    assert Referral.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="race-1").count() == 1


# --- validation ----------------------------------------------------------------------------


def _future(days=2):
    return timezone.now() + timedelta(days=days)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "carrier_pigeon"}, "source"),
        ({"received_at": "FUTURE_DATETIME"}, "received_at"),
        ({"incident_date": "FUTURE_DATE"}, "incident_date"),
        ({"offence_types": ["robbery", "jaywalking"]}, "offence_types"),
        ({"contact_kind": "mobile", "contact_value": "not a phone"}, "contact_value"),
        ({"contact_kind": "", "contact_value": "07700 900123"}, "contact_kind"),
        ({"summary": "x" * 5001}, "summary"),
        ({"organisation": "anything"}, "organisation"),
    ],
    ids=[
        "unknown-source",
        "future-received-at",
        "future-incident-date",
        "unknown-offence-type",
        "unreadable-phone",
        "contact-value-without-kind",
        "summary-too-long",
        "unknown-field",
    ],
)
def test_bad_referral_input_is_refused_per_field_and_nothing_is_saved(
    as_caseworker, overrides, field
):
    values = dict(overrides)
    if values.get("received_at") == "FUTURE_DATETIME":
        values["received_at"] = _future().isoformat()
    if values.get("incident_date") == "FUTURE_DATE":
        values["incident_date"] = _future().date().isoformat()
    response = as_caseworker.post(URL, {**VALID, **values})
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"], body
    assert body["request_id"]
    assert not Referral.objects.exists()


def test_a_contact_value_without_any_kind_is_refused(as_caseworker):
    values = {k: v for k, v in VALID.items() if k != "contact_kind"}
    response = as_caseworker.post(URL, values)
    assert response.status_code == 400
    assert "contact_kind" in response.json()["fields"]
    assert not Referral.objects.exists()


def test_a_refused_body_with_a_key_does_not_burn_the_key(as_caseworker):
    bad = as_caseworker.post(URL, {**VALID, "source": "nope"}, HTTP_IDEMPOTENCY_KEY="k-bad")
    assert bad.status_code == 400
    good = as_caseworker.post(
        URL, {**VALID, "incident_date": _future().date().isoformat()}, HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert good.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert as_caseworker.post(URL, VALID, HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


# --- accepting ----------------------------------------------------------------------------


def test_accepting_with_a_new_client_opens_client_case_and_contact_method(
    as_caseworker, caseworker, charity
):
    referral = _referral(as_caseworker, incident_date=str(timezone.localdate()))
    response = _accept_new(as_caseworker, referral["id"], pseudonym="Jo", risk_level="high")
    assert response.status_code == 201, response.json()
    body = response.json()

    case = Case.objects.get(pk=body["id"])
    assert case.organisation == charity
    assert case.referral_id == Referral.objects.get(pk=referral["id"]).pk
    assert case.offence_types == ["physical_assault", "robbery"]
    assert case.incident_date == timezone.localdate()
    assert case.risk_level == "high"
    assert case.support_status == "referred"
    assert [a["user"]["id"] for a in body["assignments"]] == [str(caseworker.id)]

    client = case.client
    assert client.organisation == charity and client.pseudonym == "Jo"
    method = ContactMethod.objects.get(client=client)
    assert method.kind == "mobile"
    assert method.value == "+447700900123"
    assert method.preferred is True
    assert (method.safe_to_call, method.safe_to_text, method.safe_to_voicemail) == (
        False,
        True,
        False,
    )
    assert method.safe_times == [{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}]

    stored = Referral.objects.get(pk=referral["id"])
    assert stored.status == "accepted"
    assert stored.decided_by == caseworker and stored.decided_at is not None
    shown = as_caseworker.get(_detail(referral["id"])).json()
    assert shown["status"] == "accepted"
    assert shown["case"] == str(case.id)


def test_accepting_for_an_existing_client_adds_no_client(as_supervisor, supervisor, charity):
    existing = ClientFactory(created_by=supervisor, pseudonym="Existing")
    referral = _referral(as_supervisor)
    response = as_supervisor.post(f"{_detail(referral['id'])}accept/", {"client": str(existing.id)})
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert case.client == existing
    assert Client.objects.count() == 1
    assert not ContactMethod.objects.exists()
    assert Referral.objects.get(pk=referral["id"]).status == "accepted"


def test_accepting_for_another_charitys_client_is_refused(as_supervisor, other_charity):
    outsider = UserFactory(organisation=other_charity)
    foreign = ClientFactory(created_by=outsider, pseudonym="Else")
    referral = _referral(as_supervisor)
    response = as_supervisor.post(f"{_detail(referral['id'])}accept/", {"client": str(foreign.id)})
    assert response.status_code == 400
    assert "client" in response.json()["fields"]
    assert not Case.objects.exists()
    assert Referral.objects.get(pk=referral["id"]).status == "new"


def test_accepting_twice_is_a_conflict_and_opens_one_case(as_caseworker):
    referral = _referral(as_caseworker)
    assert _accept_new(as_caseworker, referral["id"]).status_code == 201
    again = _accept_new(as_caseworker, referral["id"], pseudonym="Jo again")
    assert again.status_code == 409
    assert again.json()["code"] == "referral_decided"
    assert Case.objects.count() == 1
    assert Client.objects.count() == 1


@pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
def test_accept_needs_exactly_one_of_client_and_new_client(
    as_supervisor, supervisor, charity, both
):
    existing = ClientFactory(created_by=supervisor, pseudonym="Existing")
    referral = _referral(as_supervisor)
    body = {"client": str(existing.id), "new_client": {"pseudonym": "Jo"}} if both else {}
    response = as_supervisor.post(f"{_detail(referral['id'])}accept/", body)
    assert response.status_code == 400, response.json()
    assert "client" in response.json()["fields"]
    assert not Case.objects.exists()
    assert Client.objects.count() == 1
    assert Referral.objects.get(pk=referral["id"]).status == "new"


def test_accept_assigning_staff_of_another_charity_is_refused_and_creates_nothing(
    as_supervisor, other_charity
):
    outsider = UserFactory(organisation=other_charity)
    referral = _referral(as_supervisor)
    response = _accept_new(as_supervisor, referral["id"], assigned_to=[str(outsider.id)])
    assert response.status_code == 400
    assert "assigned_to" in response.json()["fields"]
    assert not Case.objects.exists()
    assert not Client.objects.exists()
    assert not ContactMethod.objects.exists()
    assert Referral.objects.get(pk=referral["id"]).status == "new"


def test_accept_assigning_a_colleague_gives_them_the_case(as_supervisor, isva):
    referral = _referral(as_supervisor)
    response = _accept_new(as_supervisor, referral["id"], assigned_to=[str(isva.id)])
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert [a["user"]["id"] for a in response.json()["assignments"]] == [str(isva.id)]
    assert client_for(isva).get(f"/api/v1/cases/{case_id}/").status_code == 200


def test_a_failing_new_client_rolls_back_the_whole_accept(as_caseworker):
    referral = _referral(as_caseworker)
    response = as_caseworker.post(
        f"{_detail(referral['id'])}accept/",
        {"new_client": {"pseudonym": "Jo", "interpreter_needed": True}},
    )
    assert response.status_code == 400
    assert "interpreter_language" in response.json()["fields"]
    assert not Case.objects.exists()
    assert not Client.objects.exists()
    assert Referral.objects.get(pk=referral["id"]).status == "new"


# --- declining ----------------------------------------------------------------------------


def test_declining_keeps_the_referral_with_its_reason(as_caseworker, caseworker):
    referral = _referral(as_caseworker)
    response = as_caseworker.post(
        f"{_detail(referral['id'])}decline/", {"reason": "out_of_area", "note": "Lives in Leeds."}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "out_of_area"
    stored = Referral.objects.get(pk=referral["id"])
    assert stored.status == "declined"
    assert stored.decline_reason == "out_of_area"
    assert stored.decline_note == "Lives in Leeds."
    assert stored.decided_by == caseworker
    assert not Case.objects.exists()
    shown = as_caseworker.get(_detail(referral["id"]))
    assert shown.status_code == 200 and shown.json()["status"] == "declined"


def test_declining_twice_is_a_conflict(as_caseworker):
    referral = _referral(as_caseworker)
    url = f"{_detail(referral['id'])}decline/"
    assert as_caseworker.post(url, {"reason": "duplicate"}).status_code == 200
    again = as_caseworker.post(url, {"reason": "out_of_area"})
    assert again.status_code == 409
    assert again.json()["code"] == "referral_decided"
    assert Referral.objects.get(pk=referral["id"]).decline_reason == "duplicate"


def test_a_declined_referral_cannot_be_accepted(as_caseworker):
    referral = _referral(as_caseworker)
    as_caseworker.post(f"{_detail(referral['id'])}decline/", {"reason": "duplicate"})
    response = _accept_new(as_caseworker, referral["id"])
    assert response.status_code == 409
    assert not Case.objects.exists() and not Client.objects.exists()


def test_declining_needs_a_known_reason(as_caseworker):
    referral = _referral(as_caseworker)
    response = as_caseworker.post(f"{_detail(referral['id'])}decline/", {"reason": "bored"})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert Referral.objects.get(pk=referral["id"]).status == "new"


# --- visibility ---------------------------------------------------------------------------


def test_another_charitys_referral_is_not_found(as_supervisor, other_charity):
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    referral = _referral(theirs)
    assert as_supervisor.get(_detail(referral["id"])).status_code == 404
    assert _accept_new(as_supervisor, referral["id"]).status_code == 404
    declined = as_supervisor.post(f"{_detail(referral['id'])}decline/", {"reason": "duplicate"})
    assert declined.status_code == 404
    assert as_supervisor.get(URL).json()["results"] == []
    assert Referral.objects.get(pk=referral["id"]).status == "new"
    assert not Case.objects.exists()


def test_new_referrals_are_visible_to_all_the_charitys_staff(
    as_charity_key, as_caseworker, as_isva, as_supervisor
):
    referral = _referral(as_charity_key)
    for api in (as_caseworker, as_isva, as_supervisor):
        assert [row["id"] for row in api.get(URL).json()["results"]] == [referral["id"]]
        assert api.get(_detail(referral["id"])).status_code == 200


def test_an_accepted_referral_is_visible_only_with_its_case(
    as_caseworker, as_isva, as_supervisor, charity
):
    referral = _referral(as_isva)
    assert _accept_new(as_isva, referral["id"]).status_code == 201
    # The ISVA who accepted is assigned; the unassigned caseworker no longer sees it.
    assert as_isva.get(_detail(referral["id"])).status_code == 200
    assert as_caseworker.get(_detail(referral["id"])).status_code == 404
    assert as_caseworker.get(URL).json()["results"] == []
    assert as_supervisor.get(_detail(referral["id"])).status_code == 200
    assert [row["id"] for row in as_supervisor.get(URL).json()["results"]] == [referral["id"]]
    other_supervisor = client_for(SupervisorFactory(organisation=charity))
    assert other_supervisor.get(_detail(referral["id"])).status_code == 200


def test_reading_a_referral_is_audited(as_caseworker, caseworker):
    referral = _referral(as_caseworker)
    as_caseworker.get(_detail(referral["id"]))
    assert AuditEvent.objects.filter(
        action="referral.read", actor=caseworker, object_id=referral["id"]
    ).exists()


def test_the_referral_list_filters_by_status(as_supervisor):
    kept = _referral(as_supervisor)
    declined = _referral(as_supervisor)
    as_supervisor.post(f"{_detail(declined['id'])}decline/", {"reason": "duplicate"})
    rows = as_supervisor.get(URL, {"status": "new"}).json()["results"]
    assert [row["id"] for row in rows] == [kept["id"]]
