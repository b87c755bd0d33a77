"""Creating and renaming organisations."""

from django.db import transaction

from ..models import Organisation
from ._validation import full_clean


@transaction.atomic
def organisation_create(*, name: str, code: str, kind: str) -> Organisation:
    organisation = Organisation(name=name.strip(), code=code.strip().upper(), kind=kind)
    full_clean(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, name: str | None = None) -> Organisation:
    """The kind is fixed at creation (roles were checked against it); only the name changes."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if name is not None:
        locked.name = name.strip()
    full_clean(locked)
    locked.save()
    return locked


@transaction.atomic
def organisation_settings_update(*, organisation: Organisation, by, **changes) -> Organisation:
    """A supervisor's settings: whether staff must use two-factor sign-in, and how long closed
    cases are kept before they are anonymised."""
    from casework.audit.services import audit_record

    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    full_clean(locked)
    locked.save()
    audit_record(actor=by, action="organisation.settings", target=locked, changed_fields=changes)
    return locked
