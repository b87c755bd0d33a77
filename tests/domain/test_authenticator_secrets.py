"""Authenticator secrets at rest: sealed with the field keyring like any other sensitive value, so
a copy of the database cannot make anyone's codes; devices of the plaintext kind that an earlier
install left behind are sealed and their plaintext rows deleted by the migration."""

import base64
import importlib
from binascii import hexlify
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django_otp.oath import totp

from casework.accounts.models import AuthenticatorDevice
from casework.core.database_roles import as_owner
from casework.crypto import keyring

from ..conftest import client_for
from ..factories import PASSWORD, UserFactory
from .test_encryption import pg_dump_data

TWO_FACTOR = "/api/v1/auth/two-factor/"
CONFIRM = "/api/v1/auth/two-factor/confirm/"
NOW = datetime(2027, 2, 1, 12, 0, 5, tzinfo=UTC)

migration = importlib.import_module(
    "casework.accounts.migrations.0005_authenticator_device_encrypted"
)


def stored_key(device: AuthenticatorDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def secret_bytes(b32: str) -> bytes:
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_authenticator_secret():
    person = UserFactory()
    with time_machine.travel(NOW, tick=False):
        api = client_for(person)
        enrolled = api.post(TWO_FACTOR, {"password": PASSWORD})
        assert enrolled.status_code == 201, enrolled.json()
        secret = enrolled.json()["secret"]
        code = totp(secret_bytes(secret))
        assert api.post(CONFIRM, {"code": f"{code:06d}"}).status_code == 200

    device = AuthenticatorDevice.objects.get(user=person, confirmed=True)
    hex_key = hexlify(secret_bytes(secret)).decode()
    assert device.key == hex_key
    assert stored_key(device).startswith(f"enc1:{keyring().primary_id}:")
    dump = pg_dump_data()
    for form in (hex_key, hex_key.upper(), secret, secret.lower()):
        assert form not in dump


@pytest.mark.django_db
def test_a_code_is_good_for_its_own_step_once():
    device = AuthenticatorDevice.objects.create(user=UserFactory(), name="app", confirmed=True)
    with time_machine.travel(NOW, tick=False):
        code = f"{totp(device.bin_key):06d}"
        previous = f"{totp(device.bin_key, drift=-1):06d}"
        assert not device.verify_token(previous)
        device.throttling_failure_count = 0
        device.save()
        assert device.verify_token(code)
        assert not device.verify_token(code)  # never twice


@pytest.mark.django_db
def test_the_migration_seals_plaintext_devices_and_deletes_them():
    person = UserFactory()
    plaintext = "3132333435363738393031323334353637383930"
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id serial PRIMARY KEY, user_id uuid, name text, "
            "confirmed boolean, key varchar(80), step int, t0 bigint, digits int, tolerance int, "
            "drift int, last_t bigint, throttling_failure_timestamp timestamptz, "
            "throttling_failure_count int, created_at timestamptz, last_used_at timestamptz)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES "
            "(DEFAULT, %s, 'phone', true, %s, 30, 0, 6, 0, 0, 55, NULL, 0, %s, NULL)",
            [person.pk, plaintext, NOW],
        )
        # Migrations run as the owner.
        migration.seal_plaintext_secrets(apps, SimpleNamespace(connection=connection))

    device = AuthenticatorDevice.objects.get(user=person)
    assert (device.key, device.name, device.confirmed, device.last_t) == (
        plaintext,
        "phone",
        True,
        55,
    )
    assert device.created_at == NOW
    assert plaintext not in stored_key(device)
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0


def test_the_plaintext_totp_plugin_is_not_installed():
    assert not apps.is_installed("django_otp.plugins.otp_totp")
