"""Re-encrypting stored values under the current primary key, in batches, while the service runs.

Resumable by construction: what still needs doing is read from the data (values whose key id is
not the primary's), so a stopped run picks up where it was. Rows are locked a batch at a time
and rows another transaction holds are skipped for the next pass.

The consent ledger is among what it rewrites, and the application's database role may not
update that table: ``rotate_encryption_keys`` runs as the owner, and says so when it cannot."""

from collections.abc import Iterator
from dataclasses import dataclass

import pgtrigger
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from .fields import EncryptedTextField
from .keyring import PREFIX, keyring


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    fields: tuple[str, ...]


def encrypted_models() -> Iterator[EncryptedModel]:
    for model in apps.get_models():
        fields = tuple(
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        )
        if fields:
            yield EncryptedModel(model, fields)


def _raw(field: str) -> Cast:
    """The stored ciphertext as text, without decrypting it."""
    return Cast(models.F(field), output_field=models.TextField())


def _stale(entry: EncryptedModel, primary: str) -> models.QuerySet:
    current = f"{PREFIX}:{primary}:"
    annotated = entry.model._base_manager.annotate(**{f"raw_{f}": _raw(f) for f in entry.fields})
    condition = models.Q()
    for field in entry.fields:
        condition |= models.Q(**{f"raw_{field}__isnull": False}) & ~models.Q(
            **{f"raw_{field}__startswith": current}
        )
    return annotated.filter(condition)


def key_usage() -> dict[str, int]:
    """How many stored values each key id sealed (for knowing when an old key can be retired)."""
    counts: dict[str, int] = {}
    for entry in encrypted_models():
        for field in entry.fields:
            # Aliases no model field is likely to be named (a device's secret is its "key").
            rows = (
                entry.model._base_manager.annotate(sealed_raw=_raw(field))
                .filter(sealed_raw__isnull=False)
                .annotate(
                    sealed_by=models.Func(
                        models.F("sealed_raw"),
                        models.Value(":"),
                        models.Value(2),
                        function="split_part",
                        output_field=models.CharField(),
                    )
                )
                .values("sealed_by")
                .annotate(sealed_count=models.Count("pk"))
            )
            for row in rows:
                key_id = row["sealed_by"]
                counts[key_id] = counts.get(key_id, 0) + row["sealed_count"]
    return counts


def tables_not_writable() -> list[str]:
    """Tables holding encrypted values that the current database role may not update."""
    tables = sorted({entry.model._meta.db_table for entry in encrypted_models()})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) AS t WHERE NOT has_table_privilege(t, 'UPDATE')",
            [tables],
        )
        return [name for (name,) in cursor.fetchall()]


def _append_only_triggers(model: type[models.Model]) -> list[str]:
    label = model._meta.label
    return [f"{label}:{t.name}" for t in getattr(model._meta, "triggers", [])]


def rotate(batch_size: int = 500) -> Iterator[tuple[str, int]]:
    """Re-encrypts everything not under the primary key; yields (model, rows) per batch."""
    primary = keyring().primary_id
    for entry in encrypted_models():
        ignore = _append_only_triggers(entry.model)
        while True:
            with transaction.atomic(), pgtrigger.ignore(*ignore):
                pks = list(
                    _stale(entry, primary)
                    .select_for_update(no_key=True, skip_locked=True, of=("self",))
                    .order_by("pk")
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not pks:
                    break
                for row in entry.model._base_manager.filter(pk__in=pks):
                    # Loading decrypted with whichever key sealed it; saving seals with the primary.
                    row.save(update_fields=list(entry.fields))
            yield entry.model._meta.label, len(pks)
