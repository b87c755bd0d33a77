"""Field encryption: AES-GCM values bound to their column, key rotation, and a real database dump
that holds none of a client's identifying plaintext."""

import base64
import datetime
import os
import shutil
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from casework.alerts.identifiers import checker_keys
from casework.audit.keys import audit_keys
from casework.clients.models import Client, ContactMethod
from casework.crypto import DecryptionError, blind_index, keyring
from casework.crypto.keyring import Keyring

from ..conftest import client_for
from ..factories import OrganisationFactory, UserFactory

CONTEXT = "clients_client.legal_name"


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode('ascii')}"


def flip_byte(stored: str, index: int) -> str:
    prefix, key_id, token = stored.split(":", 2)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[index] ^= 0x01
    return f"{prefix}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode('ascii')}"


# The keyring itself


def test_a_value_round_trips():
    ring = keyring()
    stored = ring.encrypt("Jacqueline Zoë Example (ünïcode)", context=CONTEXT)
    assert ring.decrypt(stored, context=CONTEXT) == "Jacqueline Zoë Example (ünïcode)"


def test_the_stored_form_names_its_key_and_hides_the_plaintext():
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    assert stored.startswith(f"enc1:{ring.primary_id}:")
    assert Keyring.key_id_of(stored) == ring.primary_id
    assert "Jacqueline" not in stored


def test_the_same_plaintext_twice_gives_different_ciphertexts():
    ring = keyring()
    first = ring.encrypt("Jacqueline Example", context=CONTEXT)
    second = ring.encrypt("Jacqueline Example", context=CONTEXT)
    assert first != second
    assert ring.decrypt(first, context=CONTEXT) == ring.decrypt(second, context=CONTEXT)


@pytest.mark.parametrize(
    "other_context",
    ["clients_client.pseudonym", "clients_contactmethod.legal_name", "clients_client.legal_nam"],
)
def test_a_ciphertext_only_decrypts_in_its_own_table_and_column(other_context):
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    with pytest.raises(DecryptionError):
        ring.decrypt(stored, context=other_context)


@pytest.mark.parametrize("index", [0, 11, 12, -1])
def test_a_flipped_byte_is_detected(index):
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    with pytest.raises(DecryptionError):
        ring.decrypt(flip_byte(stored, index), context=CONTEXT)


def test_a_truncated_ciphertext_is_refused():
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    with pytest.raises(DecryptionError):
        ring.decrypt(stored[:-6], context=CONTEXT)


@pytest.mark.parametrize("stored", ["Jacqueline Example", "enc1:only-two", "enc9:dev1:AAAA", ""])
def test_something_that_is_not_a_ciphertext_is_refused(stored):
    with pytest.raises(DecryptionError):
        keyring().decrypt(stored, context=CONTEXT)


def test_an_unknown_key_id_is_refused():
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    _, _, token = stored.split(":", 2)
    with pytest.raises(DecryptionError, match="nokey"):
        ring.decrypt(f"enc1:nokey:{token}", context=CONTEXT)


def test_an_old_value_still_decrypts_after_a_new_primary_key_is_added(settings):
    old_ring = keyring()
    old_id = old_ring.primary_id
    stored = old_ring.encrypt("Jacqueline Example", context=CONTEXT)

    settings.FIELD_ENCRYPTION_KEYS = [new_key("rot2"), *settings.FIELD_ENCRYPTION_KEYS]
    ring = keyring()
    assert ring is not old_ring
    assert ring.primary_id == "rot2"
    assert ring.decrypt(stored, context=CONTEXT) == "Jacqueline Example"

    fresh = ring.encrypt("Jacqueline Example", context=CONTEXT)
    assert Keyring.key_id_of(fresh) == "rot2"
    assert Keyring.key_id_of(stored) == old_id
    assert ring.decrypt(fresh, context=CONTEXT) == "Jacqueline Example"


def test_a_value_sealed_with_a_removed_key_no_longer_decrypts(settings):
    stored = keyring().encrypt("Jacqueline Example", context=CONTEXT)
    settings.FIELD_ENCRYPTION_KEYS = [new_key("only3")]
    with pytest.raises(DecryptionError):
        keyring().decrypt(stored, context=CONTEXT)


def test_a_new_value_does_not_decrypt_under_the_old_keys_alone(settings):
    original = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [new_key("rot4"), *original]
    fresh = keyring().encrypt("Jacqueline Example", context=CONTEXT)
    settings.FIELD_ENCRYPTION_KEYS = original
    with pytest.raises(DecryptionError):
        keyring().decrypt(fresh, context=CONTEXT)


def test_a_second_key_with_the_same_id_but_other_material_cannot_read_old_values(settings):
    ring = keyring()
    stored = ring.encrypt("Jacqueline Example", context=CONTEXT)
    settings.FIELD_ENCRYPTION_KEYS = [new_key(ring.primary_id)]
    with pytest.raises(DecryptionError):
        keyring().decrypt(stored, context=CONTEXT)


@pytest.mark.parametrize(
    "keys",
    [
        [],
        ["no-separator"],
        ["bad id!:" + base64.urlsafe_b64encode(bytes(32)).decode()],
        ["short:" + base64.urlsafe_b64encode(bytes(16)).decode()],
        ["dup:" + base64.urlsafe_b64encode(bytes(32)).decode()] * 2,
    ],
)
@pytest.mark.parametrize(
    ("setting", "load"),
    [
        ("FIELD_ENCRYPTION_KEYS", keyring),
        ("AUDIT_HASH_KEYS", audit_keys),
        ("CHECKER_HASH_KEYS", checker_keys),
    ],
)
def test_a_bad_key_configuration_refuses_to_load(settings, keys, setting, load):
    assert load() is not None
    setattr(settings, setting, keys)
    with pytest.raises(ImproperlyConfigured, match=setting):
        load()


def test_the_keyed_hash_is_stable_and_separates_kinds_and_keys(settings):
    digest = blind_index("phone", "+447700900123")
    assert digest == blind_index("phone", "+447700900123")
    assert digest != blind_index("email", "+447700900123")
    assert "447700900123" not in digest
    settings.FIELD_HASH_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    assert blind_index("phone", "+447700900123") != digest


# Through the ORM


@pytest.mark.django_db
def test_model_fields_are_stored_encrypted_and_read_back_decrypted():
    staff = UserFactory()
    client = Client.objects.create(
        organisation=staff.organisation,
        created_by=staff,
        pseudonym="Sparrow",
        pseudonym_hash="x",
        legal_name="Jacqueline Example",
        date_of_birth=datetime.date(1990, 4, 12),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pseudonym, legal_name, date_of_birth FROM clients_client WHERE id = %s",
            [client.pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in raw)
    assert "Sparrow" not in raw[0] and "Jacqueline" not in raw[1] and "1990" not in raw[2]
    fresh = Client.objects.get(pk=client.pk)
    assert fresh.pseudonym == "Sparrow"
    assert fresh.legal_name == "Jacqueline Example"
    assert fresh.date_of_birth == datetime.date(1990, 4, 12)


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_column_does_not_decrypt():
    staff = UserFactory()
    client = Client.objects.create(
        organisation=staff.organisation,
        created_by=staff,
        pseudonym="Sparrow",
        pseudonym_hash="x",
        legal_name="Jacqueline Example",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_client SET pseudonym = legal_name WHERE id = %s", [client.pk]
        )
    with pytest.raises(DecryptionError):
        Client.objects.get(pk=client.pk)


@pytest.mark.django_db
def test_rows_written_under_an_old_key_stay_readable_after_rotation(settings):
    staff = UserFactory()
    old_id = keyring().primary_id
    before = Client.objects.create(
        organisation=staff.organisation, created_by=staff, pseudonym="Before", pseudonym_hash="x"
    )
    settings.FIELD_ENCRYPTION_KEYS = [new_key("rot5"), *settings.FIELD_ENCRYPTION_KEYS]
    after = Client.objects.create(
        organisation=staff.organisation, created_by=staff, pseudonym="After", pseudonym_hash="y"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, pseudonym FROM clients_client WHERE id IN (%s, %s)", [before.pk, after.pk]
        )
        stored = dict(cursor.fetchall())
    assert Keyring.key_id_of(stored[before.pk]) == old_id
    assert Keyring.key_id_of(stored[after.pk]) == "rot5"
    assert Client.objects.get(pk=before.pk).pseudonym == "Before"
    assert Client.objects.get(pk=after.pk).pseudonym == "After"


# A real dump of the database

LEGAL_NAME = "Zebedee Quillfeather-Ostrowska"
PSEUDONYM = "Marigold Thistlewick"
DATE_OF_BIRTH = "1987-06-05"
PHONE_AS_TYPED = "07700 900987"
PHONE_E164 = "+447700900987"
EMAIL = "zq.ostrowska.casework@example.org"
THIRD_PARTY = "Perpetua Honeysuckle-Vance"
ADDRESS = "Flat 9, 77 Lavenderwick Mews"


def pg_dump_data() -> str:
    executable = shutil.which("pg_dump")
    assert executable, "pg_dump is not installed"
    db = connection.settings_dict
    command = [executable, "--data-only", "--no-owner", "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    result = subprocess.run(  # noqa: S603 (fixed executable, arguments from our own settings)
        command, capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_identifying_plaintext():
    charity = OrganisationFactory()
    api = client_for(UserFactory(organisation=charity))
    created = api.post(
        "/api/v1/clients/",
        {
            "pseudonym": PSEUDONYM,
            "legal_name": LEGAL_NAME,
            "date_of_birth": DATE_OF_BIRTH,
            "interpreter_needed": True,
            "interpreter_language": "Polish",
        },
    )
    assert created.status_code == 201, created.json()
    client_id = created.json()["id"]
    methods = f"/api/v1/clients/{client_id}/contact-methods/"
    for body in (
        {"kind": "mobile", "value": PHONE_AS_TYPED},
        {"kind": "email", "value": EMAIL},
        {"kind": "postal_address", "value": ADDRESS},
        {"kind": "third_party", "value": "Drop-in centre", "third_party_name": THIRD_PARTY},
    ):
        response = api.post(methods, body)
        assert response.status_code == 201, response.json()
    # Reading the detail writes an audit event too; it must not carry the plaintext either.
    assert api.get(f"/api/v1/clients/{client_id}/").status_code == 200

    dump = pg_dump_data()

    # The dump really holds the rows: the client's id and its ciphertexts are there.
    assert client_id in dump
    assert dump.count("enc1:") >= 7
    for secret in (
        LEGAL_NAME,
        "Quillfeather",
        PSEUDONYM,
        "Thistlewick",
        DATE_OF_BIRTH,
        PHONE_AS_TYPED,
        PHONE_E164,
        "7700900987",
        EMAIL,
        "ostrowska.casework",
        THIRD_PARTY,
        "Honeysuckle",
        ADDRESS,
        "Lavenderwick",
    ):
        assert secret not in dump, f"{secret!r} appears in plaintext in the database dump"

    # And the ORM still reads every value back.
    client = Client.objects.get(pk=client_id)
    assert client.pseudonym == PSEUDONYM
    assert client.legal_name == LEGAL_NAME
    assert client.date_of_birth == datetime.date.fromisoformat(DATE_OF_BIRTH)
    values = {m.kind: m for m in ContactMethod.objects.filter(client=client)}
    assert values["mobile"].value == PHONE_E164
    assert values["email"].value == EMAIL
    assert values["postal_address"].value == ADDRESS
    assert values["third_party"].third_party_name == THIRD_PARTY
