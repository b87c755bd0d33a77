"""Bulk writes with PostgreSQL COPY, through the models' own field types (so encrypted fields are
really encrypted, arrays and JSON really typed)."""

from collections.abc import Iterable

from django.db import connection, models


class Copier:
    """Streams rows (dicts of field name to Python value) into one model's table."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        # Serial keys are left to the database's own sequence.
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
        ]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)

    def _row(self, values: dict) -> list:
        row = []
        for field in self.fields:
            value = values[field.name] if field.name in values else values.get(field.attname)
            if value is None and field.name not in values and field.attname not in values:
                value = field.get_default()
            row.append(field.get_db_prep_save(value, connection))
        return row

    def copy(self, rows: Iterable[dict]) -> int:
        count = 0
        table = connection.ops.quote_name(self.model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({self.columns}) FROM STDIN") as copy,
        ):
            for values in rows:
                copy.write_row(self._row(values))
                count += 1
        return count
