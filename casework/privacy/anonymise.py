"""Removing identities and free text while keeping the facts statistics need.

What goes: the client's names, date of birth, pronouns and languages; every contact route's
value; every free-text field (summaries, notes, reasons, updates, messages, outcomes, the crime
reference and officer); every attachment, its stored file included. What stays: offence types,
dates, lifecycle states, outcomes as choices, work settings and vulnerability flags, and the
audit trail (which never held personal data). Append-only tables are changed only here, past
their guards (pgtrigger.ignore), and each case anonymised leaves an audit event. The consent
ledger the application's database role may not update at all: its notes go through a function
of the owner's that wipes them only for a case already marked anonymised (migration privacy
0002)."""

from collections.abc import Iterable
from functools import lru_cache

import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone

from casework.accounts.principals import Actor
from casework.alerts.choices import RetractionReason
from casework.alerts.services import retract_for_withdrawn_consent
from casework.attachments.services import attachments_erase_for_case
from casework.audit.services import audit_record
from casework.cases.models import Case, Referral
from casework.clients.choices import ContactStatus
from casework.clients.models import Client, ContactMethod
from casework.crypto import EncryptedListField
from casework.reminders.choices import ACTIVE_STATUSES, ReminderStatus
from casework.reminders.messages import messages_cancel_planned
from casework.reminders.models import Reminder
from casework.sharing.derivation import sync_sharing
from casework.sharing.models import ConsentDecision

from .classification import case_path, personal_fields, project_models

REMOVED = "[removed]"

# Fields cleared beside the personal ones: not personal alone, but of no use once nobody can be
# reached.
ALSO_CLEARED: dict[str, dict[str, object]] = {
    "cases.Referral": {"contact_safe_times": []},
    # An anonymised alert's identifiers no longer match in the checker.
    "alerts.AlertIdentifier": {"value_hash": "", "hash_key_id": ""},
}


def blank_value(model: type[models.Model], name: str) -> object:
    """What an anonymised field holds: nothing where it may be empty, else a marker."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 (the registry names concrete fields)
    if field.null:
        return None
    if isinstance(field, EncryptedListField):
        return []
    return "" if field.blank else REMOVED


@lru_cache(maxsize=1)
def case_free_text() -> tuple[tuple[type[models.Model], str, dict], ...]:
    """(model, how it reaches the case, {field: replacement}) for every model kept per case,
    its personal fields from the registry. The case itself and the consent ledger are cleared
    on their own (below)."""
    found = []
    for model in project_models():
        path = case_path(model)
        if path is None or model is ConsentDecision:
            continue
        replacements = {f: blank_value(model, f) for f in personal_fields(model)}
        replacements |= ALSO_CLEARED.get(model._meta.label, {})
        if replacements:
            found.append((model, path, replacements))
    return tuple(found)


def _guards(model: type[models.Model]) -> list[str]:
    return [f"{model._meta.label}:{t.name}" for t in getattr(model._meta, "triggers", [])]


def _all_guards() -> list[str]:
    return [uri for model, _, _ in case_free_text() for uri in _guards(model)] + _guards(
        ContactMethod
    )


def _wipe(model: type[models.Model], path: str, case: Case, replacements: dict) -> None:
    rows = model._base_manager.filter(**{path: case})
    # Row by row so the encrypted fields are written through their field type.
    for row in rows:
        for field, value in replacements.items():
            setattr(row, field, value)
        row.save(update_fields=list(replacements))


def _wipe_consent_notes(case: Case) -> None:
    """After the case is marked anonymised, in the same transaction: the function checks it."""
    with pgtrigger.ignore(*_guards(ConsentDecision)), connection.cursor() as cursor:
        cursor.execute("SELECT privacy_wipe_consent_notes(%s)", [case.pk])


def anonymise_case(case: Case, *, actor: Actor, reason: str) -> None:
    """Inside the caller's transaction; the case row is locked here."""
    # FOR UPDATE: waits for a message being handed over to the client, which holds the case
    # FOR KEY SHARE (``casework.reminders.messages._why_not_now``).
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.anonymised_at is not None:
        return
    # Files go whole, record and stored file (the file once this transaction commits).
    attachments_erase_for_case(locked, actor=actor)
    # Its alerts leave the feed and the checker first, as a withdrawal of warn_others would.
    retract_for_withdrawn_consent(case=locked, actor=actor, reason=RetractionReason.CASE_ANONYMISED)
    with pgtrigger.ignore(*_all_guards()):
        for model, path, replacements in case_free_text():
            _wipe(model, path, locked, replacements)
    personal = personal_fields(Case)
    for name in personal:
        setattr(locked, name, blank_value(Case, name))
    locked.anonymised_at = timezone.now()
    locked.save(update_fields=[*personal, "anonymised_at", "updated_at"])
    _wipe_consent_notes(locked)
    Reminder.objects.filter(case=locked, status__in=ACTIVE_STATUSES).update(
        status=ReminderStatus.CANCELLED, cancelled_at=timezone.now()
    )
    messages_cancel_planned(case=locked, actor=actor, reason="case_anonymised")
    sync_sharing(locked, actor=actor)
    audit_record(
        actor=actor,
        action="case.anonymise",
        target=locked,
        case_id=locked.pk,
        detail={"reason": reason},
    )


def anonymise_referral(referral: Referral, *, actor: Actor, reason: str) -> None:
    """A referral that never became a case loses its free text and the person's identity; its
    source, dates, offence types and decision stay. Inside the caller's transaction."""
    locked = Referral.objects.select_for_update(no_key=True).get(pk=referral.pk)
    if locked.anonymised_at is not None:
        return
    cleared = {f: blank_value(Referral, f) for f in personal_fields(Referral)}
    cleared |= ALSO_CLEARED["cases.Referral"]
    for name, value in cleared.items():
        setattr(locked, name, value)
    locked.anonymised_at = timezone.now()
    locked.save(update_fields=[*cleared, "anonymised_at"])
    audit_record(
        actor=actor,
        action="referral.anonymise",
        target=locked,
        organisation=locked.organisation,
        detail={"reason": reason},
    )


def anonymise_client(client: Client, *, actor: Actor, reason: str) -> None:
    locked = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    if locked.anonymised_at is not None:
        return
    now = timezone.now()
    with pgtrigger.ignore(*_guards(ContactMethod)):
        for method in ContactMethod.objects.filter(client=locked):
            for name in personal_fields(ContactMethod):
                setattr(method, name, blank_value(ContactMethod, name))
            method.value_hash = ""
            method.safe_times = []
            method.preferred = False
            if method.status != ContactStatus.RETIRED:
                method.status = ContactStatus.RETIRED
                method.retired_at = now
            method.retired_reason = "anonymised"
            method.save()
    for name in personal_fields(Client):
        setattr(locked, name, blank_value(Client, name))
    locked.pseudonym = "Anonymised"
    locked.pseudonym_hash = ""
    locked.anonymised_at = now
    locked.save()
    for case in Case.objects.filter(client=locked):
        messages_cancel_planned(case=case, actor=actor, reason="client_anonymised")
    audit_record(actor=actor, action="client.anonymise", target=locked, detail={"reason": reason})


def anonymise_clients_without_live_cases(client_ids: Iterable, *, actor: Actor, reason: str) -> int:
    """Clients all of whose cases are anonymised lose their identity too, each in a transaction
    of its own, so a stop loses nothing done."""
    done = 0
    live = Case.objects.filter(client_id=models.OuterRef("pk"), anonymised_at__isnull=True)
    for client in Client.objects.filter(pk__in=list(client_ids), anonymised_at__isnull=True).filter(
        ~models.Exists(live)
    ):
        with transaction.atomic(durable=True):
            anonymise_client(client, actor=actor, reason=reason)
        done += 1
    return done
