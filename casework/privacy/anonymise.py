"""Removing identities and free text while keeping the facts statistics need.

What goes: the client's names, date of birth, pronouns and languages; every contact route's
value; every free-text field (summaries, notes, reasons, updates, messages, outcomes, the crime
reference and officer). What stays: offence types, dates, lifecycle states, outcomes as choices,
work settings and vulnerability flags, and the audit trail (which never held personal data).
Append-only tables are changed only here, past their guards (pgtrigger.ignore), and each case
anonymised leaves an audit event. The consent ledger the application's database role may not
update at all: its notes go through a function of the owner's that wipes them only for a case
already marked anonymised (migration privacy 0002)."""

from collections.abc import Iterable

import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone

from casework.accounts.principals import Actor
from casework.audit.services import audit_record
from casework.cases.models import Case, CaseTransition, ContactLogEntry, Note, Referral
from casework.clients.choices import ContactStatus
from casework.clients.models import Client, ContactMethod
from casework.court.models import CourtEvent, CourtEventDateChange
from casework.reminders.choices import ACTIVE_STATUSES, ReminderStatus
from casework.reminders.messages import messages_cancel_planned
from casework.reminders.models import OutboundMessage, Reminder
from casework.sharing.derivation import sync_sharing
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedUpdate
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanRevision

REMOVED = "[removed]"

# (model, how it reaches the case, {field: replacement})
CASE_FREE_TEXT: list[tuple[type[models.Model], str, dict]] = [
    (
        Referral,
        "case",
        {
            "summary": REMOVED,
            "referrer_name": None,
            "person_pseudonym": None,
            "contact_value": None,
            "decline_note": None,
            "contact_safe_times": [],
        },
    ),
    (CaseTransition, "case", {"reason": REMOVED}),
    (ContactLogEntry, "case", {"note": None}),
    (Note, "case", {"body": REMOVED}),
    (SharedUpdate, "shared_case__case", {"body": REMOVED}),
    (PoliceInvolvement, "case", {"crime_reference": "", "officer_name": "", "officer_contact": ""}),
    (CourtEvent, "case", {"outcome": ""}),
    (NeedRecord, "case", {"note": None, "agency": ""}),
    (SafetyPlanRevision, "item__case", {"description": REMOVED}),
    (RiskAssessment, "case", {"notes": None}),
    (OutboundMessage, "case", {"body": REMOVED}),
    (CourtEventDateChange, "event__case", {"reason": ""}),
    (Reminder, "case", {"snooze_reason": ""}),
]


def _guards(model: type[models.Model]) -> list[str]:
    return [f"{model._meta.label}:{t.name}" for t in getattr(model._meta, "triggers", [])]


def _all_guards() -> list[str]:
    return [uri for model, _, _ in CASE_FREE_TEXT for uri in _guards(model)] + _guards(
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
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.anonymised_at is not None:
        return
    with pgtrigger.ignore(*_all_guards()):
        for model, path, replacements in CASE_FREE_TEXT:
            _wipe(model, path, locked, replacements)
    locked.incident_area = ""
    locked.anonymised_at = timezone.now()
    locked.save(update_fields=["incident_area", "anonymised_at", "updated_at"])
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


def anonymise_client(client: Client, *, actor: Actor, reason: str) -> None:
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.anonymised_at is not None:
        return
    now = timezone.now()
    with pgtrigger.ignore(*_guards(ContactMethod)):
        for method in ContactMethod.objects.filter(client=locked):
            method.value = REMOVED
            method.value_hash = ""
            method.third_party_name = None
            method.safe_times = []
            method.preferred = False
            if method.status != ContactStatus.RETIRED:
                method.status = ContactStatus.RETIRED
                method.retired_at = now
            method.retired_reason = "anonymised"
            method.save()
    locked.pseudonym = "Anonymised"
    locked.pseudonym_hash = ""
    locked.legal_name = None
    locked.date_of_birth = None
    locked.pronouns = ""
    locked.languages = []
    locked.interpreter_language = ""
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
