"""Creating and renaming organisations, and their own settings."""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from casework.accounts.principals import Actor, Principal
from casework.audit.services import audit_record
from casework.core.unset import UNSET, Unset, given
from casework.court.models import CalendarFeed
from casework.stats import caching

from ..models import Organisation
from ._validation import full_clean
from .retention import refuse_shortening, shortened


@transaction.atomic
def organisation_create(*, name: str, code: str, kind: str, by: Actor) -> Organisation:
    organisation = Organisation(name=name.strip(), code=code.strip().upper(), kind=kind)
    full_clean(organisation)
    organisation.save()
    audit_record(
        actor=by,
        action="organisation.create",
        target=organisation,
        changed_fields=["name", "code", "kind"],
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    by: Principal,
    name: str | None = None,
    is_active: bool | None = None,
) -> Organisation:
    """The kind is fixed at creation (roles were checked against it); the name changes, and the
    platform can deactivate an organisation: its staff can no longer sign in (their sessions
    end at once) and its API keys are refused, while its records stay as they are."""
    locked = Organisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)
    changed = []
    if name is not None and name.strip() != locked.name:
        locked.name = name.strip()
        changed.append("name")
    if is_active is not None and is_active != locked.is_active:
        locked.is_active = is_active
        changed.append("is_active")
    full_clean(locked)
    locked.save()
    if changed:
        action = "organisation.update"
        if "is_active" in changed:
            action = "organisation.activate" if is_active else "organisation.deactivate"
        audit_record(actor=by, action=action, target=locked, changed_fields=changed)
    if "is_active" in changed and not is_active:
        AuthToken.objects.filter(user__organisation=locked).delete()
        CalendarFeed.objects.filter(user__organisation=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return locked


MAX_AREAS = 200
MAX_AREA_LENGTH = 80


def clean_areas(areas: object) -> list[str]:
    """The organisation's list of areas, each trimmed, none empty or too long, no two the same
    whatever their case. Police see a case's area only from this list, so it is kept tidy."""
    if not isinstance(areas, list) or len(areas) > MAX_AREAS:
        raise ValidationError({"areas": [f"Give a list of at most {MAX_AREAS} areas."]})
    cleaned: list[str] = []
    seen: set[str] = set()
    for area in areas:
        if not isinstance(area, str) or not area.strip():
            raise ValidationError({"areas": ["Every area needs a name."]})
        name = " ".join(area.split())
        if len(name) > MAX_AREA_LENGTH:
            raise ValidationError(
                {"areas": [f"An area's name has at most {MAX_AREA_LENGTH} characters: {name}"]}
            )
        if name.casefold() in seen:
            raise ValidationError({"areas": [f"{name} is listed twice."]})
        seen.add(name.casefold())
        cleaned.append(name)
    return cleaned


def check_stats_threshold(value: int) -> int:
    """An organisation may withhold more of its statistics than the deployment does, never
    less: the deployment's ``STATS_SUPPRESSION_THRESHOLD`` is the floor."""
    floor = int(settings.STATS_SUPPRESSION_THRESHOLD)
    if value < floor:
        raise ValidationError(
            {
                "stats_threshold": [
                    f"The threshold can be raised, never set below this deployment's {floor}."
                ]
            }
        )
    return value


@transaction.atomic
def organisation_settings_update(
    *,
    organisation: Organisation,
    by: Principal,
    require_two_factor: bool | Unset = UNSET,
    retention_years: int | Unset = UNSET,
    unconverted_retention_months: int | Unset = UNSET,
    areas: Sequence[str] | Unset = UNSET,
    attachment_max_bytes: int | Unset = UNSET,
    stats_threshold: int | Unset = UNSET,
) -> Organisation:
    """A supervisor's settings: whether staff must use two-factor sign-in, how long closed cases
    are kept before they are anonymised (and referrals and clients that never became a case),
    the areas a case can be placed in, and below how many cases its statistics are withheld
    (never below the deployment's floor). Changes those given. A retention period is only
    lengthened here: shortening one waits for a second supervisor (``retention``)."""
    changes = given(
        require_two_factor=require_two_factor,
        retention_years=retention_years,
        unconverted_retention_months=unconverted_retention_months,
        areas=areas if isinstance(areas, Unset) else clean_areas(areas),
        attachment_max_bytes=attachment_max_bytes,
        stats_threshold=(
            stats_threshold
            if isinstance(stats_threshold, Unset)
            else check_stats_threshold(stats_threshold)
        ),
    )
    locked = Organisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)
    shorter = shortened(locked, changes)
    for field, value in changes.items():
        setattr(locked, field, value)
    full_clean(locked)
    refuse_shortening(shorter)
    locked.save()
    audit_record(actor=by, action="organisation.settings", target=locked, changed_fields=changes)
    if "stats_threshold" in changes:
        transaction.on_commit(caching.thresholds_changed)
    return locked
