"""Model fields whose values are stored encrypted. They cannot be filtered on (only ``isnull``):
look values up through a keyed-hash column beside them."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import models

from .keyring import keyring


class EncryptedTextField(models.TextField):
    """A text value stored as AES-256-GCM ciphertext, bound to its table and column.

    ``max_length`` limits the plaintext (the column holds the longer ciphertext)."""

    description = "Encrypted text"

    def __init__(self, *args, max_length: int | None = None, **kwargs) -> None:
        self.plaintext_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plaintext_max_length is not None:
            kwargs["max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        limit = self.plaintext_max_length
        if limit is not None and value is not None and len(self.serialise(value)) > limit:
            raise ValidationError(
                f"Ensure this value has at most {limit} characters.", code="max_length"
            )

    def serialise(self, value) -> str:
        return str(value)

    def deserialise(self, text: str):
        return text

    def get_prep_value(self, value):
        if value is None:
            return None
        return keyring().encrypt(self.serialise(value), context=self.context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.deserialise(keyring().decrypt(value, context=self.context))

    def to_python(self, value):
        return value

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            return None
        return super().get_lookup(lookup_name)


class EncryptedDateField(EncryptedTextField):
    description = "Encrypted date"

    def serialise(self, value) -> str:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return value.isoformat()

    def deserialise(self, text: str):
        return datetime.date.fromisoformat(text)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError("Enter a valid date.", code="invalid") from None
        return value

    def formfield(self, **kwargs):
        from django import forms

        return forms.DateField(**{"required": not self.blank, **kwargs})


class EncryptedListField(EncryptedTextField):
    """A short list of strings (languages spoken, say), sealed as one JSON value."""

    description = "Encrypted list of strings"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def serialise(self, value) -> str:
        return json.dumps([str(item) for item in value], ensure_ascii=False)

    def deserialise(self, text: str):
        return json.loads(text)

    def get_prep_value(self, value):
        if value is None:
            return None
        return keyring().encrypt(self.serialise(value), context=self.context)

    def formfield(self, **kwargs):
        from django import forms
        from django.contrib.postgres.forms import SimpleArrayField

        return SimpleArrayField(forms.CharField(), **{"required": not self.blank, **kwargs})
