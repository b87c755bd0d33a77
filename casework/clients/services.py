"""Every change to clients and their contact methods, with its rules and its audit event."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.audit.services import audit_record
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given
from casework.crypto import blind_index

from .choices import POLICE_ROUTE_KINDS, ContactKind, ContactStatus, Weekday
from .models import Client, ContactMethod
from .normalise import lookup_kind, normalise

# After this many failed attempts in a row, a failing method is marked dead.
DEAD_AFTER_FAILURES = 3

CLIENT_FIELDS = (
    "pseudonym",
    "legal_name",
    "date_of_birth",
    "pronouns",
    "languages",
    "interpreter_needed",
    "interpreter_language",
    "work_settings",
    "vulnerability_flags",
)


def pseudonym_hash(pseudonym: str) -> str:
    return blind_index("pseudonym", " ".join(pseudonym.split()).casefold())


def _check_client(values: Mapping[str, Any]) -> None:
    dob = values.get("date_of_birth")
    if dob is not None and dob > timezone.localdate():
        raise ValidationError({"date_of_birth": ["The date of birth cannot be in the future."]})
    if values.get("interpreter_needed") and not values.get("interpreter_language"):
        raise ValidationError(
            {"interpreter_language": ["Say which language the interpreter needs to speak."]}
        )


@transaction.atomic
def client_create(
    *,
    organisation: Organisation,
    created_by: User,
    pseudonym: str,
    legal_name: str | Unset | None = UNSET,
    date_of_birth: date | Unset | None = UNSET,
    pronouns: str | Unset = UNSET,
    languages: Sequence[str] | Unset = UNSET,
    interpreter_needed: bool | Unset = UNSET,
    interpreter_language: str | Unset = UNSET,
    work_settings: Sequence[str] | Unset = UNSET,
    vulnerability_flags: Sequence[str] | Unset = UNSET,
) -> Client:
    """A client of the organisation; what is not given keeps the model's default."""
    values = given(
        pseudonym=pseudonym,
        legal_name=legal_name,
        date_of_birth=date_of_birth,
        pronouns=pronouns,
        languages=languages,
        interpreter_needed=interpreter_needed,
        interpreter_language=interpreter_language,
        work_settings=work_settings,
        vulnerability_flags=vulnerability_flags,
    )
    _check_client(values)
    client = Client(organisation=organisation, created_by=created_by, **values)
    client.pseudonym = client.pseudonym.strip()
    client.pseudonym_hash = pseudonym_hash(client.pseudonym)
    client.full_clean()
    client.save()
    audit_record(actor=created_by, action="client.create", target=client, changed_fields=values)
    return client


@transaction.atomic
def client_update(
    *,
    client: Client,
    updated_by: User,
    pseudonym: str | Unset = UNSET,
    legal_name: str | Unset | None = UNSET,
    date_of_birth: date | Unset | None = UNSET,
    pronouns: str | Unset = UNSET,
    languages: Sequence[str] | Unset = UNSET,
    interpreter_needed: bool | Unset = UNSET,
    interpreter_language: str | Unset = UNSET,
    work_settings: Sequence[str] | Unset = UNSET,
    vulnerability_flags: Sequence[str] | Unset = UNSET,
) -> Client:
    """Changes the fields given, and only those."""
    changes = given(
        pseudonym=pseudonym,
        legal_name=legal_name,
        date_of_birth=date_of_birth,
        pronouns=pronouns,
        languages=languages,
        interpreter_needed=interpreter_needed,
        interpreter_language=interpreter_language,
        work_settings=work_settings,
        vulnerability_flags=vulnerability_flags,
    )
    locked = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    merged = {field: getattr(locked, field) for field in CLIENT_FIELDS} | changes
    _check_client(merged)
    for field, value in changes.items():
        setattr(locked, field, value)
    if "pseudonym" in changes:
        locked.pseudonym = locked.pseudonym.strip()
        locked.pseudonym_hash = pseudonym_hash(locked.pseudonym)
    locked.full_clean()
    locked.save()
    audit_record(actor=updated_by, action="client.update", target=locked, changed_fields=changes)
    return locked


def _parse_time(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValidationError({"safe_times": [f"'{field}' must be a time like 09:30."]}) from None


def check_safe_times(windows: object) -> list[dict[str, Any]]:
    """Windows are ``{"days": [...], "from": "HH:MM", "to": "HH:MM"}`` in UK local time."""
    if not isinstance(windows, list) or len(windows) > 14:
        raise ValidationError({"safe_times": ["Give a list of at most 14 windows."]})
    cleaned = []
    for window in windows:
        if not isinstance(window, dict) or set(window) != {"days", "from", "to"}:
            raise ValidationError({"safe_times": ["Each window has exactly days, from and to."]})
        days = window["days"]
        if not isinstance(days, list) or not days or not set(days) <= set(Weekday.values):
            raise ValidationError(
                {"safe_times": [f"Days are some of {', '.join(Weekday.values)}."]}
            )
        start, end = _parse_time(window["from"], "from"), _parse_time(window["to"], "to")
        if start >= end:
            raise ValidationError({"safe_times": ["Each window must end after it starts."]})
        cleaned.append(
            {
                "days": sorted(set(days), key=Weekday.values.index),
                "from": start.strftime("%H:%M"),
                "to": end.strftime("%H:%M"),
            }
        )
    return cleaned


def _set_value(method: ContactMethod, raw: str) -> None:
    try:
        method.value = normalise(method.kind, raw)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None
    namespace = lookup_kind(method.kind)
    method.value_hash = blind_index(namespace, method.value) if namespace else ""


def _check_police_route(method: ContactMethod) -> None:
    """Police are only ever given a phone or an email (the database holds to it as well)."""
    if method.police_may_use and method.kind not in POLICE_ROUTE_KINDS:
        raise ValidationError(
            {"police_may_use": ["Only a phone number or an email can be given to police."]}
        )


def _clear_other_preferred(method: ContactMethod) -> None:
    ContactMethod.objects.filter(client_id=method.client_id, preferred=True).exclude(
        pk=method.pk
    ).update(preferred=False)


@transaction.atomic
def contact_method_add(
    *,
    client: Client,
    created_by: User,
    kind: str,
    value: str,
    third_party_name: str | Unset | None = UNSET,
    safe_to_call: bool | Unset = UNSET,
    safe_to_text: bool | Unset = UNSET,
    safe_to_voicemail: bool | Unset = UNSET,
    safe_times: Sequence[Mapping[str, Any]] | Unset = UNSET,
    preferred: bool | Unset = UNSET,
    police_may_use: bool | Unset = UNSET,
) -> ContactMethod:
    """A new route to the client; a preferred one takes the preference from any other."""
    options = given(
        third_party_name=third_party_name,
        safe_to_call=safe_to_call,
        safe_to_text=safe_to_text,
        safe_to_voicemail=safe_to_voicemail,
        safe_times=safe_times,
        preferred=preferred,
        police_may_use=police_may_use,
    )
    if kind == ContactKind.THIRD_PARTY and not options.get("third_party_name"):
        raise ValidationError(
            {"third_party_name": ["Name the third party who passes messages on."]}
        )
    Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    method = ContactMethod(client=client, kind=kind, created_by=created_by)
    _set_value(method, value)
    for field, option in options.items():
        setattr(method, field, option)
    method.safe_times = check_safe_times(method.safe_times)
    _check_police_route(method)
    if method.preferred:
        _clear_other_preferred(method)
    method.full_clean(exclude=["value_hash"])
    method.save()
    audit_record(
        actor=created_by,
        action="contact_method.create",
        target=method,
        organisation=client.organisation,
        changed_fields=["kind", "value", *options],
    )
    return method


@transaction.atomic
def contact_method_update(
    *,
    method: ContactMethod,
    updated_by: User,
    third_party_name: str | Unset | None = UNSET,
    safe_to_call: bool | Unset = UNSET,
    safe_to_text: bool | Unset = UNSET,
    safe_to_voicemail: bool | Unset = UNSET,
    safe_times: Sequence[Mapping[str, Any]] | Unset = UNSET,
    preferred: bool | Unset = UNSET,
    police_may_use: bool | Unset = UNSET,
) -> ContactMethod:
    """Safety flags, times, preference and whether police may use it change in place; the value
    never does (a new number is a new method, so the history of the old one survives)."""
    changes = given(
        third_party_name=third_party_name,
        safe_to_call=safe_to_call,
        safe_to_text=safe_to_text,
        safe_to_voicemail=safe_to_voicemail,
        safe_times=safe_times,
        preferred=preferred,
        police_may_use=police_may_use,
    )
    locked = (
        ContactMethod.objects.select_for_update(no_key=True)
        .select_related("client")
        .get(pk=method.pk)
    )
    if locked.status == ContactStatus.RETIRED:
        raise Conflict("A retired contact method cannot be changed.", code="contact_method_retired")
    for field, value in changes.items():
        setattr(locked, field, value)
    if "safe_times" in changes:
        locked.safe_times = check_safe_times(locked.safe_times)
    _check_police_route(locked)
    if changes.get("preferred"):
        if locked.status == ContactStatus.DEAD:
            raise ValidationError({"preferred": ["A dead contact method cannot be preferred."]})
        _clear_other_preferred(locked)
    locked.full_clean(exclude=["value_hash"])
    locked.save()
    audit_record(
        actor=updated_by,
        action="contact_method.update",
        target=locked,
        organisation=locked.client.organisation,
        changed_fields=changes,
    )
    return locked


@transaction.atomic
def contact_method_verify(*, method: ContactMethod, verified_by: User) -> ContactMethod:
    locked = (
        ContactMethod.objects.select_for_update(no_key=True)
        .select_related("client")
        .get(pk=method.pk)
    )
    if locked.status == ContactStatus.RETIRED:
        raise Conflict(
            "A retired contact method cannot be verified.", code="contact_method_retired"
        )
    locked.status = ContactStatus.VERIFIED
    locked.verified_at = timezone.now()
    locked.consecutive_failures = 0
    locked.save()
    audit_record(
        actor=verified_by,
        action="contact_method.verify",
        target=locked,
        organisation=locked.client.organisation,
        changed_fields=["status", "verified_at"],
    )
    return locked


@transaction.atomic
def contact_method_retire(*, method: ContactMethod, retired_by: User, reason: str) -> ContactMethod:
    locked = (
        ContactMethod.objects.select_for_update(no_key=True)
        .select_related("client")
        .get(pk=method.pk)
    )
    if locked.status == ContactStatus.RETIRED:
        raise Conflict("This contact method is already retired.", code="contact_method_retired")
    locked.status = ContactStatus.RETIRED
    locked.retired_at = timezone.now()
    locked.retired_reason = reason
    locked.preferred = False
    locked.save()
    audit_record(
        actor=retired_by,
        action="contact_method.retire",
        target=locked,
        organisation=locked.client.organisation,
        changed_fields=["status", "retired_at", "retired_reason", "preferred"],
    )
    return locked


def contact_method_record_outcome(
    *, method: ContactMethod, success: bool | None, at: datetime
) -> None:
    """Feeds a contact attempt back into its method (called inside the contact-log transaction).

    ``success`` True: the route works (verified, last success). False: the route failed
    (failing, then dead after repeats). None: says nothing about the route."""
    if success is None:
        return
    locked = ContactMethod.objects.select_for_update(no_key=True).get(pk=method.pk)
    if locked.status == ContactStatus.RETIRED:
        return
    if success:
        locked.status = ContactStatus.VERIFIED
        locked.verified_at = max(filter(None, [locked.verified_at, at]))
        locked.last_success_at = max(filter(None, [locked.last_success_at, at]))
        locked.consecutive_failures = 0
    else:
        locked.consecutive_failures += 1
        locked.last_failure_at = at
        locked.status = (
            ContactStatus.DEAD
            if locked.consecutive_failures >= DEAD_AFTER_FAILURES
            else ContactStatus.FAILING
        )
        if locked.status == ContactStatus.DEAD:
            locked.preferred = False
    locked.save()
