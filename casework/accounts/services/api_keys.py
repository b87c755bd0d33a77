"""API keys for other systems: created with a fixed set of scopes, shown once, revocable."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.principals import Actor
from casework.audit.services import audit_record
from casework.core.errors import Conflict

from ..choices import SCOPES_BY_KIND, Scope
from ..models import ApiKey, Organisation, User


def _check_scopes(organisation: Organisation, scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError({"scopes": [f"Unknown scope: {', '.join(unknown)}."]})
    allowed = SCOPES_BY_KIND[organisation.kind]
    refused = sorted(set(scopes) - allowed)
    if refused:
        raise ValidationError(
            {
                "scopes": [
                    f"A {organisation.get_kind_display().lower()} cannot hold {', '.join(refused)}."
                ]
            }
        )
    if not scopes:
        raise ValidationError({"scopes": ["Give the key at least one scope."]})
    return sorted(set(scopes))


@transaction.atomic
def api_key_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: Sequence[str],
    by: Actor,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Returns the key and its secret; only a hash of the secret is kept. ``by`` is the person
    (recorded as the key's creator) or the command that made it."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["The expiry must be in the future."]})
    created, secret = ApiKey.objects.create_key(
        organisation=organisation,
        name=name,
        scopes=_check_scopes(organisation, scopes),
        created_by=by if isinstance(by, User) else None,
        expiry_date=expires_at,
    )
    api_key = cast(ApiKey, created)  # the library's manager, typed for its abstract model
    audit_record(
        actor=by,
        action="api_key.create",
        target=api_key,
        organisation=organisation,
        detail={"prefix": api_key.prefix, "scopes": api_key.scopes},
    )
    return api_key, secret


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, by: Actor) -> ApiKey:
    locked = (
        ApiKey.objects.select_for_update(no_key=True)
        .select_related("organisation")
        .get(pk=api_key.pk)
    )
    if locked.revoked:
        raise Conflict("This API key is already revoked.", code="already_revoked")
    locked.revoked = True
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked", "revoked_at"])
    audit_record(
        actor=by,
        action="api_key.revoke",
        target=locked,
        organisation=locked.organisation,
        detail={"prefix": locked.prefix},
    )
    return locked
