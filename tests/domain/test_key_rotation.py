"""Rotating the field-encryption key: a new primary key, every stored value re-encrypted in batches
(append-only tables too), a real database dump with no value left under the old key, the old key
then removable, and a run that can stop and resume and does nothing the second time."""

import base64
import os
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone
from django_otp.oath import totp

from casework.accounts.models import AuthenticatorDevice
from casework.accounts.services.two_factor import two_factor_enrol
from casework.cases.models import Note
from casework.cases.services.cases import case_transition
from casework.cases.services.contacts import note_add
from casework.cases.services.referrals import referral_accept
from casework.crypto import DecryptionError, keyring
from casework.crypto.rotation import encrypted_models, key_usage, rotate
from casework.reminders.messages import message_plan
from casework.sharing.services import police_update_post
from casework.support.services import need_record, risk_assess, safety_item_add

from ..factories import (
    PASSWORD,
    ClientFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    ReferralFactory,
    UserFactory,
)
from .test_encryption import pg_dump_data

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ID = "rot2027"
APPEND_ONLY = (
    "cases.Note",
    "cases.CaseTransition",
    "sharing.ConsentDecision",
    "sharing.SharedUpdate",
    "support.NeedRecord",
    "support.SafetyPlanRevision",
    "support.RiskAssessment",
)


def new_key(key_id: str = NEW_ID) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode('ascii')}"


def build_records() -> None:
    """Two clients with everything that is stored encrypted, written under the current key."""
    charity = OrganisationFactory()
    force = PoliceForceFactory()
    liaison = PoliceLiaisonFactory(organisation=force)
    staff = UserFactory(organisation=charity)
    for n, (name, phone) in enumerate(
        [("Ottoline Brackenbury", "07700 900111"), ("Pemberton Quayle", "07700 900222")]
    ):
        referral = ReferralFactory(
            organisation=charity,
            actor=staff,
            source="outreach",
            summary=f"Met on outreach round {n}; robbed near the arches.",
            referrer_name=f"Outreach worker {n}",
            person_pseudonym=f"Bird {n}",
            contact_kind="mobile",
            contact_value=phone,
            offence_types=["robbery"],
        )
        case = referral_accept(
            referral=referral,
            accepted_by=staff,
            new_client={
                "pseudonym": f"Bird {n}",
                "legal_name": name,
                "date_of_birth": date(1990, 1, 1 + n),
            },
        )
        client = case.client
        ContactMethodFactory(
            client=client, created_by=staff, kind="email", value=f"bird{n}@example.net"
        )
        ContactMethodFactory(
            client=client,
            created_by=staff,
            kind="third_party",
            value="Drop-in centre",
            third_party_name=f"Auntie {n}",
        )
        case_transition(
            case=case, actor=staff, lifecycle="support", to="active", reason=f"Engaged {n}."
        )
        for i in range(3):
            note_add(case=case, author=staff, body=f"Note {i} on case {n}.", visibility="internal")
        ContactLogEntryFactory(
            case=case,
            recorded_by=staff,
            occurred_at=timezone.now() - timedelta(hours=1),
            channel="phone_call",
            direction="outbound",
            outcome="reached",
            note=f"Spoke about court {n}.",
        )
        ConsentDecisionFactory(
            case=case, recorded_by=staff, scope="store_records", note=f"Agreed at the drop-in {n}."
        )
        ConsentDecisionFactory(
            case=case,
            recorded_by=staff,
            scope="share_with_police",
            method="written",
            police_force=force,
        )
        share = case.shares.get()
        police_update_post(
            shared_case=share, author=liaison, kind="investigation", body=f"Suspect seen {n}."
        )
        need_record(case=case, actor=staff, need="housing", status="identified", note="Hostel.")
        safety_item_add(case=case, actor=staff, description=f"Code word {n}.")
        risk_assess(
            case=case,
            actor=staff,
            assessed_on=timezone.localdate(),
            level="high",
            notes=f"Threats {n}.",
        )
        message_plan(
            case=case,
            author=staff,
            purpose="appointment",
            channel="text",
            body=f"See you Tuesday {n}.",
            send_after=timezone.now() + timedelta(days=1),
        )
    # A client with no case at all still holds encrypted identity.
    ClientFactory(created_by=staff, pseudonym="Solitary", legal_name="X Y")
    # Authenticator secrets are sealed like any other value.
    two_factor_enrol(user=staff, password=PASSWORD, request=None)
    two_factor_enrol(user=liaison, password=PASSWORD, request=None)


def decrypted_snapshot() -> dict:
    """Every encrypted value, read back through the ORM."""
    snapshot = {}
    for entry in encrypted_models():
        rows = entry.model._base_manager.order_by("pk").values_list("pk", *entry.fields)
        snapshot[entry.model._meta.label] = {row[0]: row[1:] for row in rows}
    return snapshot


def stored_key_ids() -> dict[str, set[str]]:
    """Which key id sealed each stored value, straight from the columns."""
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for entry in encrypted_models():
            meta = entry.model._meta
            for name in entry.fields:
                column = meta.get_field(name).column
                cursor.execute(
                    f'SELECT "{column}" FROM "{meta.db_table}" '  # noqa: S608 (our own names)
                    f'WHERE "{column}" IS NOT NULL'
                )
                for (value,) in cursor.fetchall():
                    assert value.startswith("enc1:"), (meta.label, name, value[:20])
                    found.setdefault(meta.label, set()).add(value.split(":")[1])
    return found


def sealed_rows(snapshot: dict) -> int:
    """Rows holding at least one encrypted value (rows with none have nothing to rotate)."""
    return sum(
        any(value is not None for value in values)
        for rows in snapshot.values()
        for values in rows.values()
    )


def dump_rows() -> list[str]:
    """The dump without pg_dump's per-run restrict-token lines."""
    return [
        line
        for line in pg_dump_data().splitlines()
        if not line.startswith(("\\restrict", "\\unrestrict"))
    ]


def rotate_command(**options) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def old_id() -> str:
    return keyring().primary_id


@pytest.fixture
def records(old_id):
    build_records()
    ids = stored_key_ids()
    assert set().union(*ids.values()) == {old_id}
    assert set(ids) >= {
        "clients.Client",
        "clients.ContactMethod",
        "accounts.AuthenticatorDevice",
        *APPEND_ONLY,
    }
    return decrypted_snapshot()


@pytest.fixture
def rotated_keys(settings, records):
    """A new primary key first, the old one kept second to read what it sealed."""
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), *settings.FIELD_ENCRYPTION_KEYS]
    assert keyring().primary_id == NEW_ID
    return settings


def test_rotation_re_encrypts_every_value_under_the_new_key(rotated_keys, records, old_id):
    before_dump = pg_dump_data()
    assert f"enc1:{old_id}:" in before_dump

    output = rotate_command(batch_size=2)

    assert f"under key {NEW_ID}" in output
    assert set().union(*stored_key_ids().values()) == {NEW_ID}
    assert old_id not in key_usage()
    dump = pg_dump_data()
    assert f"enc1:{old_id}:" not in dump
    assert f"enc1:{NEW_ID}:" in dump
    assert decrypted_snapshot() == records


def test_the_rotation_works_in_batches_of_the_size_asked_for(rotated_keys, records):
    output = rotate_command(batch_size=2)
    batches = [line for line in output.splitlines() if line.startswith("re-encrypted ")]
    sizes = [int(line.split()[1]) for line in batches]
    assert sizes and max(sizes) <= 2
    total = sealed_rows(records)
    assert sum(sizes) == total
    assert f"Re-encrypted {total} row(s)" in output


def test_after_rotation_the_old_key_can_be_removed_and_everything_still_decrypts(
    rotated_keys, records
):
    rotate_command(batch_size=2)
    only_new = [k for k in rotated_keys.FIELD_ENCRYPTION_KEYS if k.startswith(f"{NEW_ID}:")]

    rotated_keys.FIELD_ENCRYPTION_KEYS = only_new

    assert list(keyring().keys) == [NEW_ID]
    assert decrypted_snapshot() == records


def test_without_rotation_removing_the_old_key_breaks_reads(rotated_keys, records):
    """The control for the test above: the old key really was needed before rotation."""
    only_new = [k for k in rotated_keys.FIELD_ENCRYPTION_KEYS if k.startswith(f"{NEW_ID}:")]
    rotated_keys.FIELD_ENCRYPTION_KEYS = only_new
    with pytest.raises(DecryptionError):
        decrypted_snapshot()


def test_a_second_run_re_encrypts_nothing(rotated_keys, records):
    rotate_command(batch_size=2)
    dump = dump_rows()

    again = rotate_command(batch_size=2)

    assert f"Re-encrypted 0 row(s) under key {NEW_ID}." in again
    assert "re-encrypted " not in again.replace("Re-encrypted", "")
    assert dump_rows() == dump  # not one ciphertext rewritten


def test_a_stopped_rotation_resumes_where_it_stopped(rotated_keys, records, old_id):
    total = sealed_rows(records)
    run = rotate(batch_size=2)
    _, first_batch = next(run)
    run.close()  # the process stopped after one committed batch
    assert first_batch == 2
    assert key_usage()[old_id] > 0

    output = rotate_command(batch_size=2)

    assert f"Re-encrypted {total - first_batch} row(s)" in output
    assert set().union(*stored_key_ids().values()) == {NEW_ID}
    assert decrypted_snapshot() == records


def test_append_only_rows_are_rotated_and_stay_append_only(rotated_keys, records, old_id):
    rotate_command(batch_size=2)

    ids = stored_key_ids()
    for label in APPEND_ONLY:
        assert ids[label] == {NEW_ID}, label
    # The guards were lifted for the rotation only.
    note = Note.objects.first()
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(body="rewritten")
    assert Note.objects.get(pk=note.pk).body == note.body


def test_an_authenticator_keeps_its_codes_across_rotation(rotated_keys, records, old_id):
    devices = {d.pk: d.key for d in AuthenticatorDevice.objects.all()}
    dump = pg_dump_data()
    assert all(secret not in dump for secret in devices.values())

    rotate_command(batch_size=2)

    assert stored_key_ids()["accounts.AuthenticatorDevice"] == {NEW_ID}
    for device in AuthenticatorDevice.objects.all():
        assert device.key == devices[device.pk]  # the same secret, sealed anew
        with time_machine.travel(datetime(2027, 5, 4, 9, 0, 10, tzinfo=UTC), tick=False):
            code = totp(device.bin_key, step=device.step, digits=device.digits)
            assert device.verify_token(f"{code:06d}")
    assert all(secret not in pg_dump_data() for secret in devices.values())


def test_the_audit_chain_still_verifies_after_rotation(rotated_keys, records):
    rotate_command(batch_size=2)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "All audit chains intact" in out.getvalue()


def test_status_reports_the_retired_key_with_no_values_left(rotated_keys, records, old_id):
    before = rotate_command(status=True)
    assert f"key {old_id}: " in before and f"key {old_id}: 0 value(s)" not in before

    rotate_command(batch_size=2)
    after = rotate_command(status=True)

    assert f"key {old_id}: 0 value(s)" in after, after
    assert f"key {NEW_ID} (primary): " in after
