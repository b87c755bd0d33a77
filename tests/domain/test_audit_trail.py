"""The audit trail: append-only in the database, hash-chained per organisation so that a row
changed or removed behind the database's back is found by ``verify_audit``, and free of personal
data."""

import base64
import hashlib
import hmac
import itertools
import json
from contextlib import contextmanager, nullcontext
from io import StringIO

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from casework.audit.chain import GENESIS, canonical, digest
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.core.database_roles import as_owner

from ..conftest import client_for
from ..editing import edit

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)
APPEND_ONLY = "audit.AuditEvent:audit_append_only"
# The application's role has no right to change the table; the owner, who has, meets the trigger.
REFUSALS = {
    "application": (nullcontext, "permission denied for table audit_auditevent"),
    "owner": (as_owner, "Cannot update or delete rows from audit_auditevent"),
}


@contextmanager
def tampering():
    """What only someone holding the owner's credentials could do: step past the guard."""
    with as_owner(), pgtrigger.ignore(APPEND_ONLY):
        yield


def chain_of(organisation) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=str(organisation.pk)).order_by("sequence"))


def record(organisation, action="test.event", **kwargs) -> AuditEvent:
    return audit_record(actor="test-suite", action=action, organisation=organisation, **kwargs)


def verify(**options) -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, **options)
    return out.getvalue()


def verify_broken(**options) -> tuple[str, str]:
    """Runs verify_audit expecting it to fail; returns its report and the error's message."""
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=out, **options)
    return out.getvalue(), str(error.value)


# --- the chain ------------------------------------------------------------------------------


def test_events_are_numbered_per_organisation_and_each_points_at_its_predecessor(
    charity, other_charity
):
    ours = [record(charity, action="one")]
    theirs = [record(other_charity, action="one")]
    ours.append(record(charity, action="two"))
    theirs.append(record(other_charity, action="two"))
    ours.append(record(charity, action="three"))

    stored = chain_of(charity)
    assert [e.sequence for e in stored] == [1, 2, 3]
    assert [e.action for e in stored] == ["one", "two", "three"]
    assert [e.pk for e in stored] == [e.pk for e in ours]
    assert stored[0].previous_hash == GENESIS
    for earlier, later in itertools.pairwise(stored):
        assert later.previous_hash == earlier.hash
    assert len({e.hash for e in stored}) == 3
    # The hash covers the row as stored, not only as it was in memory.
    assert all(digest(e) == e.hash for e in stored)

    other = chain_of(other_charity)
    assert [e.sequence for e in other] == [1, 2]
    assert other[0].previous_hash == GENESIS
    assert other[1].previous_hash == other[0].hash
    assert {e.chain for e in stored} == {str(charity.pk)}
    assert {e.organisation_id for e in other} == {other_charity.pk}


def test_events_without_an_organisation_go_to_the_platform_chain():
    first = audit_record(actor="nightly-task", action="platform.one")
    second = audit_record(actor="nightly-task", action="platform.two")
    assert (first.chain, first.sequence, first.previous_hash) == ("platform", 1, GENESIS)
    assert (second.chain, second.sequence, second.previous_hash) == ("platform", 2, first.hash)
    assert first.actor_kind == "system" and first.actor_label == "nightly-task"


def test_a_person_is_named_by_username_and_a_record_by_type_and_id(charity, caseworker):
    event = audit_record(actor=caseworker, action="client.read", target=charity)
    assert (event.actor_id, event.actor_kind, event.actor_label) == (
        caseworker.pk,
        "person",
        caseworker.username,
    )
    assert (event.object_type, event.object_id) == ("organisation", str(charity.pk))
    assert event.chain == str(charity.pk)


# --- the database refuses to change history -------------------------------------------------


@pytest.mark.parametrize("acting_as", REFUSALS)
def test_the_database_refuses_to_update_an_audit_event(charity, acting_as):
    event = record(charity)
    role, refusal = REFUSALS[acting_as]
    with pytest.raises(DB_REFUSAL, match=refusal), role(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="something.else")
    event.refresh_from_db()
    assert event.action == "test.event"


@pytest.mark.parametrize("acting_as", REFUSALS)
def test_the_database_refuses_to_delete_an_audit_event(charity, acting_as):
    event = record(charity)
    role, refusal = REFUSALS[acting_as]
    with pytest.raises(DB_REFUSAL, match=refusal), role(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "acting_as, refusal",
    [
        ("application", "permission denied for table audit_auditevent"),
        ("owner", "Cannot truncate the append-only table audit_auditevent"),
    ],
)
def test_the_database_refuses_to_truncate_the_audit_trail(charity, acting_as, refusal):
    event = record(charity)
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of the insert above would otherwise make PostgreSQL refuse
        # the TRUNCATE for its own reasons ("pending trigger events") before the guard is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    role = REFUSALS[acting_as][0]
    with (
        pytest.raises(DB_REFUSAL) as refused,
        role(),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("TRUNCATE audit_auditevent")
    assert refusal in str(refused.value)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("acting_as", REFUSALS)
def test_the_database_refuses_an_update_made_with_raw_sql(charity, acting_as):
    event = record(charity)
    role, refusal = REFUSALS[acting_as]
    with (
        pytest.raises(DB_REFUSAL, match=refusal),
        role(),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = 'someone' WHERE id = %s", [event.pk]
        )
    event.refresh_from_db()
    assert event.actor_label == "test-suite"


# --- verify_audit ---------------------------------------------------------------------------


@pytest.fixture
def two_chains(charity, other_charity):
    ours = [record(charity, action=f"ours.{n}") for n in range(1, 5)]
    theirs = [record(other_charity, action=f"theirs.{n}") for n in range(1, 3)]
    return ours, theirs


def test_verify_audit_reports_every_chain_intact(two_chains, charity, other_charity):
    output = verify()
    assert f"ok     chain {charity.pk}: 4 events" in output
    assert f"ok     chain {other_charity.pk}: 2 events" in output
    assert "All audit chains intact (6 events)." in output


def test_verify_audit_finds_a_changed_event(two_chains, charity, other_charity):
    ours, _ = two_chains
    with tampering():
        AuditEvent.objects.filter(pk=ours[1].pk).update(action="nothing.to.see")
    report, message = verify_broken()
    assert f"BROKEN chain {charity.pk} at event 2 (row {ours[1].pk})" in report
    assert "does not match its hash" in report
    assert f"ok     chain {other_charity.pk}: 2 events" in report
    assert "1 broken chain(s)" in message


def test_verify_audit_finds_a_changed_event_even_when_its_hash_was_recomputed(two_chains, charity):
    ours, _ = two_chains
    forged = AuditEvent.objects.get(pk=ours[1].pk)
    forged.action = "nothing.to.see"
    with tampering():
        AuditEvent.objects.filter(pk=forged.pk).update(action=forged.action, hash=digest(forged))
    report, _ = verify_broken()
    # The forged row is self-consistent; its successor no longer points at it.
    assert f"BROKEN chain {charity.pk} at event 3 (row {ours[2].pk})" in report
    assert "does not point at its predecessor's hash" in report


def test_each_link_is_an_hmac_under_the_audit_key_not_a_plain_hash(charity, settings):
    event = record(charity)
    assert event.hash_key_id == "dev1"
    plain = hashlib.sha256(canonical(event)).hexdigest()
    keyed = hmac.new(
        base64.urlsafe_b64decode(settings.AUDIT_HASH_KEYS[0].partition(":")[2]),
        canonical(event),
        hashlib.sha256,
    ).hexdigest()
    assert event.hash == keyed != plain


def test_verify_audit_finds_the_last_event_rewritten_without_the_key(two_chains, charity):
    """Whoever can write the table but has no audit key can only forge an unkeyed link, and an
    unkeyed link may never follow a keyed one."""
    ours, _ = two_chains
    forged = AuditEvent.objects.get(pk=ours[-1].pk)
    forged.action = "nothing.to.see"
    forged.hash_key_id = ""
    forged.hash = hashlib.sha256(canonical(forged)).hexdigest()
    with tampering():
        AuditEvent.objects.filter(pk=forged.pk).update(
            action=forged.action, hash_key_id="", hash=forged.hash
        )
    report, _ = verify_broken(chain=str(charity.pk))
    assert f"BROKEN chain {charity.pk} at event {forged.sequence}" in report
    assert "an unkeyed link follows a keyed one" in report


def test_verify_audit_refuses_links_made_with_another_key(two_chains, charity, settings):
    settings.AUDIT_HASH_KEYS = ["other:" + base64.urlsafe_b64encode(b"o" * 32).decode()]
    report, _ = verify_broken(chain=str(charity.pk))
    assert f"BROKEN chain {charity.pk} at event 1" in report
    assert "audit key 'dev1', not in AUDIT_HASH_KEYS" in report


def test_a_retired_audit_key_still_verifies_what_it_signed(two_chains, charity, settings):
    new = "k2:" + base64.urlsafe_b64encode(b"n" * 32).decode()
    settings.AUDIT_HASH_KEYS = [new, *settings.AUDIT_HASH_KEYS]
    later = record(charity, action="after.rotation")
    assert later.hash_key_id == "k2"
    assert f"ok     chain {charity.pk}: 5 events" in verify(chain=str(charity.pk))


def test_verify_audit_finds_a_deleted_event_in_the_middle(two_chains, charity):
    ours, _ = two_chains
    with tampering():
        AuditEvent.objects.filter(pk=ours[1].pk).delete()
    report, message = verify_broken()
    assert f"BROKEN chain {charity.pk} at event 2" in report
    assert "event 2 is missing" in report
    assert "1 broken chain(s)" in message


def test_verify_audit_checks_only_the_chain_asked_for(two_chains, charity, other_charity):
    ours, _ = two_chains
    with tampering():
        AuditEvent.objects.filter(pk=ours[0].pk).update(actor_label="someone else")
    output = verify(chain=str(other_charity.pk))
    assert f"ok     chain {other_charity.pk}: 2 events" in output
    assert str(charity.pk) not in output
    report, _ = verify_broken(chain=str(charity.pk))
    assert f"BROKEN chain {charity.pk} at event 1" in report


def test_the_append_only_guard_is_back_after_the_sanctioned_bypass(two_chains):
    ours, _ = two_chains
    with tampering():
        pass
    with pytest.raises(DB_REFUSAL, match="Cannot update"), as_owner(), transaction.atomic():
        AuditEvent.objects.filter(pk=ours[0].pk).update(action="x")
    with pytest.raises(DB_REFUSAL, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(pk=ours[0].pk).update(action="x")


# --- no personal data ---------------------------------------------------------------------


LEGAL_NAME = "Zenobia Quillfeather-Okonkwo"
PSEUDONYM = "Marigold Vantablack"
PHONE_AS_TYPED = "07700 900461"
PHONE_FORMS = ("07700 900461", "07700900461", "+447700900461", "7700900461")
EMAIL = "zenobia.q@example.org"
DATE_OF_BIRTH = "1991-04-17"


def test_audit_events_never_contain_personal_data(as_caseworker):
    created = as_caseworker.post(
        "/api/v1/clients/",
        {"pseudonym": PSEUDONYM, "legal_name": LEGAL_NAME, "date_of_birth": DATE_OF_BIRTH},
        format="json",
    )
    assert created.status_code == 201, created.json()
    client_id = created.json()["id"]
    methods = f"/api/v1/clients/{client_id}/contact-methods/"
    phone = as_caseworker.post(
        methods, {"kind": "mobile", "value": PHONE_AS_TYPED, "safe_to_call": True}, format="json"
    )
    assert phone.status_code == 201, phone.json()
    email = as_caseworker.post(methods, {"kind": "email", "value": EMAIL}, format="json")
    assert email.status_code == 201, email.json()
    updated = edit(
        as_caseworker,
        f"/api/v1/clients/{client_id}/",
        {"legal_name": LEGAL_NAME + " Jr"},
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    assert as_caseworker.get(f"/api/v1/clients/{client_id}/").status_code == 200
    found = as_caseworker.post("/api/v1/clients/lookup/", {"phone": PHONE_AS_TYPED}, format="json")
    assert found.status_code == 200 and found.json()[0]["id"] == client_id

    events = list(AuditEvent.objects.values())
    actions = {e["action"] for e in events}
    assert {"client.create", "client.update", "client.read", "contact_method.create"} <= actions
    secrets = (LEGAL_NAME, PSEUDONYM, EMAIL, DATE_OF_BIRTH, *PHONE_FORMS)
    for event in events:
        for field in ("detail", "changed_fields", "object_id", "actor_label"):
            text = json.dumps(event[field], default=str)
            for secret in secrets:
                assert secret.casefold() not in text.casefold(), (event["action"], field, secret)
        whole_row = json.dumps(event, default=str).casefold()
        for secret in secrets:
            assert secret.casefold() not in whole_row, (event["action"], secret)
    create = next(e for e in events if e["action"] == "client.create")
    assert create["object_id"] == client_id
    assert "legal_name" in create["changed_fields"]


def test_the_audit_table_holds_no_personal_data_in_any_column(charity, caseworker):
    """The same, looked for in the raw table: nothing stored in any column, as PostgreSQL has it."""
    api = client_for(caseworker)
    created = api.post(
        "/api/v1/clients/", {"pseudonym": PSEUDONYM, "legal_name": LEGAL_NAME}, format="json"
    )
    assert created.status_code == 201
    api.post(
        f"/api/v1/clients/{created.json()['id']}/contact-methods/",
        {"kind": "mobile", "value": PHONE_AS_TYPED},
        format="json",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), string_agg(t::text, '\n') FROM audit_auditevent t")
        count, dump = cursor.fetchone()
    assert count >= 2
    for secret in (LEGAL_NAME, PSEUDONYM, *PHONE_FORMS):
        assert secret.casefold() not in dump.casefold()
