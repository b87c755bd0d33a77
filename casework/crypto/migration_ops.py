"""Migration operations that seal values already stored in plaintext when a column becomes
encrypted, and unseal them when the migration is reversed.

They read and write the columns with SQL, because the field type of the live model would try to
decrypt the plaintext. Append-only tables are written past their guards, as key rotation does."""

from collections.abc import Callable

import pgtrigger
from django.apps import apps as live_apps
from django.db import migrations

from .keyring import keyring


def _rewrite(label: str, fields: tuple[str, ...], change: Callable[[str, str], str]):
    def run(apps, schema_editor) -> None:
        model = live_apps.get_model(label)
        meta = model._meta
        guards = [f"{meta.label}:{t.name}" for t in getattr(meta, "triggers", [])]
        table, pk = meta.db_table, meta.pk.column
        with pgtrigger.ignore(*guards), schema_editor.connection.cursor() as cursor:
            for name in fields:
                column = meta.get_field(name).column
                context = f"{table}.{column}"
                # Names from the model's own options, never from input.
                select = f'SELECT "{pk}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'  # noqa: S608 # nosec B608
                cursor.execute(select)
                for key, value in cursor.fetchall():
                    update = f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk}" = %s'  # noqa: S608 # nosec B608
                    cursor.execute(update, [change(value, context), key])
            # Check the deferred constraints now: a column change later in the same migration
            # (as when one is reversed) is refused while their events are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    return run


def _seal(value: str, context: str) -> str:
    return keyring().encrypt(value, context=context)


def _unseal(value: str, context: str) -> str:
    return keyring().decrypt(value, context=context)


def seal_plaintext(label: str, *fields: str) -> migrations.RunPython:
    """Encrypts the plaintext already in ``fields`` of the model ``label`` (``app.Model``)."""
    return migrations.RunPython(_rewrite(label, fields, _seal), _rewrite(label, fields, _unseal))
