"""A client's contact methods: normalised values, safe times, one preferred route, verification,
and retirement that keeps the history (the database refuses un-retiring and deleting)."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.models import ContactMethod
from casework.clients.services import (
    DEAD_AFTER_FAILURES,
    contact_method_record_outcome,
    contact_method_retire,
)
from casework.crypto import blind_index

from ..conftest import client_for
from ..editing import edit
from ..factories import (
    CaseFactory,
    ClientFactory,
    ContactMethodFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)

MOBILE = {
    "kind": "mobile",
    "value": "07700 900123",
    "safe_to_call": True,
    "safe_to_text": True,
    "safe_times": [{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}],
}


@pytest.fixture
def their_client(caseworker, charity):
    """A client the caseworker registered (no case yet), so the caseworker sees it."""
    return ClientFactory(created_by=caseworker, pseudonym="Robin")


def url(client, method=None, action=None) -> str:
    base = f"/api/v1/clients/{client.id}/contact-methods/"
    if method is not None:
        base += f"{method if isinstance(method, str) else method['id']}/"
    if action:
        base += f"{action}/"
    return base


def add(api, client, **body):
    response = api.post(url(client), body)
    assert response.status_code == 201, response.json()
    return response.json()


def assert_refused_on(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error" and body["request_id"]
    assert field in body["fields"], body


# Adding methods


def test_a_mobile_is_stored_in_e164_with_its_safety_flags(as_caseworker, caseworker, their_client):
    body = add(as_caseworker, their_client, **MOBILE)
    assert body["kind"] == "mobile"
    assert body["value"] == "+447700900123"
    assert body["status"] == "unverified" and body["is_current"] is True
    assert body["safe_to_call"] is True and body["safe_to_voicemail"] is False
    assert body["safe_times"] == [{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}]
    saved = ContactMethod.objects.get(pk=body["id"])
    assert saved.client == their_client and saved.created_by == caseworker
    assert saved.value == "+447700900123"
    assert saved.value_hash == blind_index("phone", "+447700900123")
    assert AuditEvent.objects.filter(action="contact_method.create", object_id=body["id"]).exists()


@pytest.mark.parametrize("raw", ["+44 7700 900123", "+447700900123", "(07700) 900-123"])
def test_every_formatting_of_a_uk_number_is_stored_the_same(as_caseworker, their_client, raw):
    body = add(as_caseworker, their_client, kind="mobile", value=raw)
    assert body["value"] == "+447700900123"


def test_an_email_is_stored_trimmed_and_lower_cased(as_caseworker, their_client):
    body = add(as_caseworker, their_client, kind="email", value="  Sam.Client@Example.ORG ")
    assert body["value"] == "sam.client@example.org"
    saved = ContactMethod.objects.get(pk=body["id"])
    assert saved.value_hash == blind_index("email", "sam.client@example.org")


def test_a_postal_address_is_stored_as_written(as_caseworker, their_client):
    address = "Flat 2, 10 Example Street, Leeds LS1 1AA"
    body = add(as_caseworker, their_client, kind="postal_address", value=f" {address} ")
    assert body["value"] == address
    assert ContactMethod.objects.get(pk=body["id"]).value_hash == ""


def test_a_third_party_needs_a_name(as_caseworker, their_client):
    refused = as_caseworker.post(
        url(their_client), {"kind": "third_party", "value": "Via the drop-in centre"}
    )
    assert_refused_on(refused, "third_party_name")
    assert not ContactMethod.objects.exists()

    body = add(
        as_caseworker,
        their_client,
        kind="third_party",
        value="Via the drop-in centre",
        third_party_name="Maria at the drop-in",
    )
    assert body["third_party_name"] == "Maria at the drop-in"
    assert ContactMethod.objects.get(pk=body["id"]).third_party_name == "Maria at the drop-in"


@pytest.mark.parametrize("value", ["not a number", "12", "+44 7700 900123 999 999"])
def test_an_unreadable_phone_is_refused_on_value(as_caseworker, their_client, value):
    response = as_caseworker.post(url(their_client), {"kind": "mobile", "value": value})
    assert_refused_on(response, "value")
    assert not ContactMethod.objects.exists()


@pytest.mark.parametrize(
    "value",
    [
        "sam@example.org\r\nBcc: everyone@example.org",
        "sam@example.org\nBcc: everyone@example.org",
        "sam\r@example.org",
        "not-an-email",
    ],
)
def test_an_email_with_a_line_break_or_bad_shape_is_refused(as_caseworker, their_client, value):
    response = as_caseworker.post(url(their_client), {"kind": "email", "value": value})
    assert_refused_on(response, "value")
    assert not ContactMethod.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "carrier_pigeon", "value": "loft 3"}, "kind"),
        ({"kind": "mobile"}, "value"),
        ({"kind": "postal_address", "value": "   "}, "value"),
        ({**MOBILE, "status": "verified"}, "status"),
        ({**MOBILE, "client": "00000000-0000-0000-0000-000000000000"}, "client"),
    ],
)
def test_other_bad_input_is_refused_per_field(as_caseworker, their_client, body, field):
    assert_refused_on(as_caseworker.post(url(their_client), body), field)
    assert not ContactMethod.objects.exists()


# Safe times


def test_safe_times_are_normalised(as_caseworker, their_client):
    body = add(
        as_caseworker,
        their_client,
        kind="mobile",
        value="07700900123",
        safe_times=[{"days": ["fri", "mon", "fri"], "from": "09:05", "to": "1730"}],
    )
    assert body["safe_times"] == [{"days": ["mon", "fri"], "from": "09:05", "to": "17:30"}]


@pytest.mark.parametrize(
    "window",
    [
        {"days": ["funday"], "from": "10:00", "to": "16:00"},
        {"days": ["xyz"], "from": "10:00", "to": "16:00"},
        {"days": [], "from": "10:00", "to": "16:00"},
        {"days": ["mon"], "from": "16:00", "to": "10:00"},
        {"days": ["mon"], "from": "10:00", "to": "10:00"},
        {"days": ["mon"], "from": "9am", "to": "16:00"},
        {"days": ["mon"], "from": "10:00", "to": "25:00"},
        {"days": ["mon"], "from": "10:00"},
        {"days": "mon", "from": "10:00", "to": "16:00"},
    ],
)
def test_bad_safe_times_are_refused(as_caseworker, their_client, window):
    body = {"kind": "mobile", "value": "07700900123", "safe_times": [window]}
    assert_refused_on(as_caseworker.post(url(their_client), body), "safe_times")
    assert not ContactMethod.objects.exists()


def test_safe_times_that_are_not_a_list_are_refused(as_caseworker, their_client):
    body = {"kind": "mobile", "value": "07700900123", "safe_times": "weekdays"}
    assert_refused_on(as_caseworker.post(url(their_client), body), "safe_times")


def test_more_than_fourteen_safe_windows_are_refused(as_caseworker, their_client):
    windows = [{"days": ["mon"], "from": f"{h:02d}:00", "to": f"{h:02d}:30"} for h in range(15)]
    body = {"kind": "mobile", "value": "07700900123", "safe_times": windows}
    assert_refused_on(as_caseworker.post(url(their_client), body), "safe_times")
    ok = {**body, "safe_times": windows[:14]}
    assert as_caseworker.post(url(their_client), ok).status_code == 201


def test_bad_safe_times_are_refused_on_update_and_the_old_ones_kept(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    bad = [{"days": ["mon"], "from": "18:00", "to": "08:00"}]
    response = edit(as_caseworker, url(their_client, method), {"safe_times": bad})
    assert_refused_on(response, "safe_times")
    saved = ContactMethod.objects.get(pk=method["id"])
    assert saved.safe_times == [{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}]


# Updating and the preferred method


def test_patch_changes_safety_flags_and_times(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    response = edit(
        as_caseworker,
        url(their_client, method),
        {"safe_to_call": False, "safe_times": [{"days": ["sat"], "from": "12:00", "to": "13:00"}]},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["safe_to_call"] is False
    assert response.json()["safe_to_text"] is True
    saved = ContactMethod.objects.get(pk=method["id"])
    assert saved.safe_to_call is False
    assert saved.safe_times == [{"days": ["sat"], "from": "12:00", "to": "13:00"}]


# The route police may use


NOT_FOR_POLICE = [
    {"kind": "postal_address", "value": "Flat 2, 10 Example Street, Leeds LS1 1AA"},
    {"kind": "third_party", "value": "Via the drop-in", "third_party_name": "Maria"},
    {"kind": "outreach_location", "value": "Tuesday outreach van"},
]


@pytest.mark.parametrize("body", [MOBILE, {"kind": "landline", "value": "0113 496 0000"}])
def test_staff_flag_a_phone_as_the_route_police_may_use(as_caseworker, their_client, body):
    created = add(as_caseworker, their_client, **body, police_may_use=True)
    assert created["police_may_use"] is True
    assert ContactMethod.objects.get(pk=created["id"]).police_may_use is True
    event = AuditEvent.objects.get(action="contact_method.create", object_id=created["id"])
    assert "police_may_use" in event.changed_fields


def test_a_method_is_not_for_police_unless_flagged(as_caseworker, their_client):
    created = add(as_caseworker, their_client, **MOBILE)
    assert created["police_may_use"] is False
    listed = as_caseworker.get(url(their_client)).json()["results"]
    assert [row["police_may_use"] for row in listed] == [False]


@pytest.mark.parametrize("body", NOT_FOR_POLICE, ids=lambda b: b["kind"])
def test_only_a_phone_or_an_email_can_be_flagged_for_police(as_caseworker, their_client, body):
    response = as_caseworker.post(url(their_client), {**body, "police_may_use": True})
    assert_refused_on(response, "police_may_use")
    assert not ContactMethod.objects.exists()


@pytest.mark.parametrize("body", NOT_FOR_POLICE, ids=lambda b: b["kind"])
def test_flagging_an_address_third_party_or_location_later_is_refused(
    as_caseworker, their_client, body
):
    method = add(as_caseworker, their_client, **body)
    response = edit(as_caseworker, url(their_client, method), {"police_may_use": True})
    assert_refused_on(response, "police_may_use")
    assert ContactMethod.objects.get(pk=method["id"]).police_may_use is False
    assert not AuditEvent.objects.filter(action="contact_method.update").exists()


def test_the_flag_is_set_and_cleared_by_patch_and_audited(as_caseworker, their_client):
    method = add(as_caseworker, their_client, kind="email", value="robin@example.org")
    for flag in (True, False):
        response = edit(as_caseworker, url(their_client, method), {"police_may_use": flag})
        assert response.status_code == 200, response.json()
        assert response.json()["police_may_use"] is flag
        assert ContactMethod.objects.get(pk=method["id"]).police_may_use is flag
    events = AuditEvent.objects.filter(action="contact_method.update", object_id=method["id"])
    assert [e.changed_fields for e in events.order_by("id")] == [["police_may_use"]] * 2


@pytest.mark.parametrize("kind", ["postal_address", "third_party", "outreach_location"])
def test_the_database_refuses_police_use_of_anything_but_a_phone_or_email(
    caseworker, their_client, kind
):
    method = ContactMethodFactory(
        client=their_client,
        created_by=caseworker,
        kind=kind,
        value="Somewhere only staff should know",
        third_party_name="Maria",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMethod.objects.filter(pk=method.pk).update(police_may_use=True)
    assert ContactMethod.objects.get(pk=method.pk).police_may_use is False


def test_the_value_of_a_method_cannot_be_changed(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    response = edit(as_caseworker, url(their_client, method), {"value": "07700900999"})
    assert_refused_on(response, "value")
    assert ContactMethod.objects.get(pk=method["id"]).value == "+447700900123"


def test_preferring_a_new_method_unprefers_the_old_one(as_caseworker, their_client):
    first = add(as_caseworker, their_client, **MOBILE, preferred=True)
    second = add(
        as_caseworker, their_client, kind="email", value="robin@example.org", preferred=True
    )
    preferred = ContactMethod.objects.filter(client=their_client, preferred=True)
    assert [str(pk) for pk in preferred.values_list("id", flat=True)] == [second["id"]]
    assert ContactMethod.objects.get(pk=first["id"]).preferred is False

    listed = as_caseworker.get(url(their_client)).json()["results"]
    assert [m["id"] for m in listed if m["preferred"]] == [second["id"]]


def test_preferring_an_existing_method_by_patch_unprefers_the_other(as_caseworker, their_client):
    first = add(as_caseworker, their_client, **MOBILE, preferred=True)
    second = add(as_caseworker, their_client, kind="email", value="robin@example.org")
    response = edit(as_caseworker, url(their_client, second), {"preferred": True})
    assert response.status_code == 200, response.json()
    assert response.json()["preferred"] is True
    assert ContactMethod.objects.get(pk=first["id"]).preferred is False
    assert ContactMethod.objects.filter(client=their_client, preferred=True).count() == 1


def test_preferring_a_method_of_one_client_leaves_another_clients_preference(
    as_caseworker, caseworker, charity, their_client
):
    other = ClientFactory(created_by=caseworker, pseudonym="Sky")
    theirs = add(as_caseworker, other, **MOBILE, preferred=True)
    add(as_caseworker, their_client, **MOBILE, preferred=True)
    assert ContactMethod.objects.get(pk=theirs["id"]).preferred is True


def test_the_database_refuses_two_preferred_current_methods(caseworker, their_client):
    ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="email", value="robin@example.org"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMethod.objects.filter(client=their_client).update(preferred=True)
    assert not ContactMethod.objects.filter(preferred=True).exists()


def test_a_dead_method_cannot_be_preferred(as_caseworker, caseworker, their_client):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    for _ in range(DEAD_AFTER_FAILURES):
        contact_method_record_outcome(method=method, success=False, at=timezone.now())
    assert ContactMethod.objects.get(pk=method.pk).status == "dead"
    response = edit(as_caseworker, url(their_client, str(method.pk)), {"preferred": True})
    assert_refused_on(response, "preferred")
    assert ContactMethod.objects.get(pk=method.pk).preferred is False


# Verifying and retiring


def test_verify_marks_a_method_verified_now(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    assert method["verified_at"] is None
    response = as_caseworker.post(url(their_client, method, "verify"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "verified"
    assert response.json()["verified_at"]
    saved = ContactMethod.objects.get(pk=method["id"])
    assert saved.status == "verified" and saved.verified_at is not None
    assert AuditEvent.objects.filter(
        action="contact_method.verify", object_id=method["id"]
    ).exists()


def test_retiring_needs_a_reason(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = as_caseworker.post(url(their_client, method, "retire"), body)
        assert_refused_on(response, "reason")
    saved = ContactMethod.objects.get(pk=method["id"])
    assert saved.status == "unverified" and saved.retired_at is None


def test_retiring_keeps_the_method_in_the_history(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE, preferred=True)
    current = add(as_caseworker, their_client, kind="email", value="robin@example.org")
    response = as_caseworker.post(
        url(their_client, method, "retire"), {"reason": "Phone taken by her ex"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "retired" and body["is_current"] is False
    assert body["retired_at"] and body["retired_reason"] == "Phone taken by her ex"
    assert body["preferred"] is False

    listed = as_caseworker.get(url(their_client)).json()["results"]
    assert {m["id"] for m in listed} == {method["id"], current["id"]}
    retired_only = as_caseworker.get(url(their_client), {"status": "retired"}).json()["results"]
    assert [m["id"] for m in retired_only] == [method["id"]]
    detail = as_caseworker.get(url(their_client, method))
    assert detail.status_code == 200 and detail.json()["value"] == "+447700900123"


@pytest.fixture
def retired(as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    response = as_caseworker.post(url(their_client, method, "retire"), {"reason": "Lost"})
    assert response.status_code == 200
    return method


def test_a_retired_method_cannot_be_verified(as_caseworker, their_client, retired):
    response = as_caseworker.post(url(their_client, retired, "verify"))
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "contact_method_retired"
    saved = ContactMethod.objects.get(pk=retired["id"])
    assert saved.status == "retired" and saved.verified_at is None


def test_a_retired_method_cannot_be_updated(as_caseworker, their_client, retired):
    response = edit(as_caseworker, url(their_client, retired), {"safe_to_voicemail": True})
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "contact_method_retired"
    assert ContactMethod.objects.get(pk=retired["id"]).safe_to_voicemail is False


def test_a_retired_method_cannot_be_preferred_again(as_caseworker, their_client, retired):
    response = edit(as_caseworker, url(their_client, retired), {"preferred": True})
    assert response.status_code == 409
    assert ContactMethod.objects.get(pk=retired["id"]).preferred is False


def test_a_retired_method_cannot_be_retired_again(as_caseworker, their_client, retired):
    response = as_caseworker.post(url(their_client, retired, "retire"), {"reason": "Again"})
    assert response.status_code == 409, response.json()
    saved = ContactMethod.objects.get(pk=retired["id"])
    assert saved.retired_reason == "Lost"


@pytest.mark.parametrize("status", ["verified", "unverified", "failing", "dead"])
def test_the_database_refuses_to_bring_a_retired_method_back(caseworker, their_client, status):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    contact_method_retire(method=method, retired_by=caseworker, reason="Lost")
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ContactMethod.objects.filter(pk=method.pk).update(status=status)
    assert ContactMethod.objects.get(pk=method.pk).status == "retired"


def test_the_database_still_lets_a_current_method_change_status(caseworker, their_client):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    ContactMethod.objects.filter(pk=method.pk).update(status="failing")
    assert ContactMethod.objects.get(pk=method.pk).status == "failing"


def test_the_database_refuses_a_retired_status_without_a_time(caseworker, their_client):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMethod.objects.filter(pk=method.pk).update(status="retired")
    assert ContactMethod.objects.get(pk=method.pk).status == "unverified"


def test_the_database_refuses_to_delete_a_method(caseworker, their_client):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ContactMethod.objects.filter(pk=method.pk).delete()
    assert ContactMethod.objects.filter(pk=method.pk).exists()


def test_the_api_has_no_delete_for_methods(as_supervisor, as_caseworker, their_client):
    method = add(as_caseworker, their_client, **MOBILE)
    assert as_supervisor.delete(url(their_client, method)).status_code == 405
    assert ContactMethod.objects.filter(pk=method["id"]).exists()


# Who reaches which methods


def test_methods_of_a_client_in_another_charity_are_not_found(
    as_caseworker, as_supervisor, other_charity
):
    outsider_staff = SupervisorFactory(organisation=other_charity)
    outsider = ClientFactory(created_by=outsider_staff, pseudonym="Outsider")
    method = ContactMethodFactory(
        client=outsider, created_by=outsider_staff, kind="mobile", value="07700900123"
    )
    for api in (as_caseworker, as_supervisor):
        assert api.get(url(outsider)).status_code == 404
        assert api.post(url(outsider), MOBILE).status_code == 404
        assert api.get(url(outsider, str(method.pk))).status_code == 404
        assert edit(api, url(outsider, str(method.pk)), {"safe_to_call": True}).status_code == 404
        assert api.post(url(outsider, str(method.pk), "verify")).status_code == 404
        retire = api.post(url(outsider, str(method.pk), "retire"), {"reason": "x"})
        assert retire.status_code == 404
    method.refresh_from_db()
    assert method.status == "unverified" and method.safe_to_call is False
    assert ContactMethod.objects.filter(client=outsider).count() == 1


def test_methods_of_a_colleagues_client_are_not_found_by_a_caseworker(as_caseworker, charity):
    colleague = UserFactory(organisation=charity)
    theirs = ClientFactory(created_by=colleague, pseudonym="Theirs")
    assert as_caseworker.get(url(theirs)).status_code == 404
    assert as_caseworker.post(url(theirs), MOBILE).status_code == 404
    assert not ContactMethod.objects.exists()


def test_a_supervisor_reaches_methods_of_every_client_of_the_charity(
    as_supervisor, as_caseworker, their_client
):
    method = add(as_caseworker, their_client, **MOBILE)
    response = as_supervisor.get(url(their_client))
    assert [m["id"] for m in response.json()["results"]] == [method["id"]]
    assert as_supervisor.post(url(their_client, method, "verify")).status_code == 200


def test_a_method_cannot_be_reached_through_another_clients_address(
    as_caseworker, caseworker, charity, their_client
):
    other = ClientFactory(created_by=caseworker, pseudonym="Sky")
    method = add(as_caseworker, their_client, **MOBILE)
    assert as_caseworker.get(url(other, method)).status_code == 404
    assert as_caseworker.post(url(other, method, "verify")).status_code == 404
    assert as_caseworker.post(url(other, method, "retire"), {"reason": "x"}).status_code == 404
    assert ContactMethod.objects.get(pk=method["id"]).status == "unverified"


def test_a_malformed_client_id_is_not_found(as_caseworker):
    assert as_caseworker.get("/api/v1/clients/not-a-uuid/contact-methods/").status_code == 404


def test_police_and_api_keys_cannot_reach_contact_methods(
    as_police, as_charity_key, caseworker, their_client
):
    method = ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    assert as_police.get(url(their_client)).status_code == 403
    assert as_police.post(url(their_client), MOBILE).status_code == 403
    assert as_police.post(url(their_client, str(method.pk), "verify")).status_code == 403
    assert as_charity_key.get(url(their_client)).status_code == 401
    assert as_charity_key.post(url(their_client), MOBILE).status_code == 401
    assert ContactMethod.objects.count() == 1


def test_the_list_is_paginated_with_a_cursor(as_caseworker, their_client):
    for n in range(3):
        add(as_caseworker, their_client, kind="mobile", value=f"0770090012{n}")
    first = as_caseworker.get(url(their_client), {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = as_caseworker.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert not {m["id"] for m in first["results"]} & {m["id"] for m in second["results"]}


def test_a_signed_in_colleague_sees_methods_once_assigned(
    caseworker, supervisor, charity, their_client
):
    colleague = UserFactory(organisation=charity)
    as_colleague = client_for(colleague)
    ContactMethodFactory(
        client=their_client, created_by=caseworker, kind="mobile", value="07700900123"
    )
    assert as_colleague.get(url(their_client)).status_code == 404
    CaseFactory(client=their_client, opened_by=supervisor, assigned_to=[colleague])
    response = as_colleague.get(url(their_client))
    assert response.status_code == 200 and len(response.json()["results"]) == 1
