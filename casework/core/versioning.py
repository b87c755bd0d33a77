"""Versions for records two people may edit at once.

Every save of an edited record moves its version on, whoever makes it (a person through the API,
a task, the admin), so an ``ETag`` read before any change no longer matches after it. The API
turns the version into the ``ETag`` and holds an edit to the version the caller last read
(``api/concurrency.py``)."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import models, transaction

from .errors import PreconditionFailed

FIRST_VERSION = 1


class Versioned(models.Model):
    """A record whose every change moves ``version`` on. Fields in ``unversioned_fields`` are
    bookkeeping (a sign-in time, say): a save of those alone leaves the version as it is."""

    version = models.PositiveIntegerField(
        default=FIRST_VERSION,
        editable=False,
        help_text="Moves on with every change; the API's ETag and If-Match carry it.",
    )

    unversioned_fields: ClassVar[Collection[str]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None:
                self.version += 1
            elif set(update_fields) - set(self.unversioned_fields):
                self.version += 1
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def locked_version(rows: "models.QuerySet[Any]") -> int:
    """The version of the one row ``rows`` selects, locked until the transaction ends; a record
    not written yet (a setting still at its defaults) is at its first version."""
    version = rows.select_for_update(no_key=True).values_list("version", flat=True).first()
    return FIRST_VERSION if version is None else version


def own_row(record: models.Model) -> "models.QuerySet[Any]":
    """The record's own row, for an edit to lock: the caller reached the record through a
    selector already, so this reads nothing the caller could not."""
    return type(record)._default_manager.filter(pk=record.pk)


@contextmanager
def edited_at(
    expected: int, *, rows: "models.QuerySet[Any]", what: str = "record"
) -> Iterator[None]:
    """Runs the edit inside it only if the record is still at the version the caller read,
    holding the row until the edit commits, so no other edit slips in between; otherwise
    refuses with 412 and nothing is written."""
    with transaction.atomic():
        if locked_version(rows) != expected:
            raise PreconditionFailed(
                f"The {what} changed since you read it; reload it and try again.",
                code="stale_version",
            )
        yield
