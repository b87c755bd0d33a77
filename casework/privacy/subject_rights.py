"""Subject access (everything held about a client) and erasure."""

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.alerts.models import Alert, AlertIdentifier
from casework.approvals.choices import ApprovalKind
from casework.approvals.models import Approval
from casework.approvals.registry import register
from casework.approvals.services import approval_propose, pending_exists
from casework.attachments.models import Attachment
from casework.attachments.services import plaintext
from casework.audit.services import audit_record
from casework.cases.lifecycles import JusticeStage, SupportStatus
from casework.cases.models import Case, CaseTransition, ContactLogEntry, Note, Referral
from casework.cases.services.cases import case_transition
from casework.clients.models import Client
from casework.contact_requests.models import ContactRequest
from casework.core.errors import Conflict
from casework.court.choices import HearingStatus
from casework.court.models import CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision
from casework.disclosures.models import Disclosure, RecordsRequest
from casework.reminders.models import OutboundMessage, Reminder
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedUpdate
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanRevision

from .anonymise import anonymise_case, anonymise_client
from .classification import case_path, personal_fields
from .models import ErasureRecord

EXPORT_FORMATS = ("json", "zip")
COURT_STAGES = {
    JusticeStage.CHARGED,
    JusticeStage.AWAITING_TRIAL,
    JusticeStage.AT_TRIAL,
    JusticeStage.VERDICT,
    JusticeStage.APPEAL,
}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, bytes | str):
        return str(value)
    return value


def _rows(queryset, fields: list[str]) -> list[dict]:
    return [{f: _value(getattr(row, f)) for f in fields} for row in queryset]


def _section(queryset, context: list[str]) -> list[dict]:
    """The rows with the fields that give them context, and then every field the registry
    classifies as personal (casework/privacy/classification.py): a personal field added to a
    model is in the next export without anyone remembering to add it here."""
    personal = personal_fields(queryset.model)
    return _rows(queryset, [*context, *(f for f in personal if f not in context)])


# Each section of a case's export: its name, the model, its order and the fields that give its
# rows context. The registry adds every personal field; a test holds this list to the registry.
CASE_SECTIONS: list[tuple[str, type[models.Model], tuple[str, ...], list[str]]] = [
    (
        "referral",
        Referral,
        ("received_at",),
        ["source", "received_at", "incident_date", "referrer_organisation", "contact_kind"],
    ),
    (
        "lifecycle",
        CaseTransition,
        ("occurred_at",),
        ["lifecycle", "from_state", "to_state", "occurred_at"],
    ),
    (
        "contact_log",
        ContactLogEntry,
        ("occurred_at",),
        ["occurred_at", "channel", "direction", "outcome"],
    ),
    ("notes", Note, ("created_at",), ["created_at", "visibility"]),
    (
        "consents",
        ConsentDecision,
        ("id",),
        ["recorded_at", "scope", "granted", "method", "review_date"],
    ),
    ("shared_updates", SharedUpdate, ("created_at",), ["created_at", "kind", "from_police"]),
    (
        "contact_requests",
        ContactRequest,
        ("created_at",),
        ["created_at", "purpose", "urgency", "status", "answered_at", "route"],
    ),
    (
        "police_involvement",
        PoliceInvolvement,
        ("id",),
        ["investigation_status", "charging_decision", "charging_decision_date"],
    ),
    (
        "court_events",
        CourtEvent,
        ("starts_at",),
        [
            "hearing_type",
            "court",
            "starts_at",
            "status",
            "special_measures_requested",
            "special_measures_granted",
        ],
    ),
    (
        "hearing_date_changes",
        CourtEventDateChange,
        ("changed_at", "id"),
        ["event_id", "previous_starts_at", "new_starts_at", "changed_at"],
    ),
    ("decisions", JusticeDecision, ("decided_on",), ["kind", "decided_on", "client_told_on"]),
    (
        "victims_code_rights",
        Entitlement,
        ("triggered_on", "created_at", "id"),
        ["right", "provider", "triggered_on", "due_on", "status", "met_on", "acknowledged_on"],
    ),
    ("support_needs", NeedRecord, ("id",), ["need", "status", "recorded_at"]),
    (
        "safety_plan",
        SafetyPlanRevision,
        ("item__created_at", "id"),
        ["item_id", "status", "review_on", "recorded_at"],
    ),
    ("risk_assessments", RiskAssessment, ("assessed_on",), ["assessed_on", "level"]),
    (
        "messages",
        OutboundMessage,
        ("send_after",),
        ["purpose", "channel", "send_after", "status", "sent_at"],
    ),
    ("reminders", Reminder, ("due_at",), ["kind", "due_at", "status", "snoozed_until"]),
    (
        "approvals",
        Approval,
        ("proposed_at",),
        ["kind", "status", "description", "proposed_at", "expires_at", "decided_at"],
    ),
    (
        "records_requests",
        RecordsRequest,
        ("requested_at",),
        ["requested_at", "respond_by", "status", "client_told_on", "decision", "decided_at"],
    ),
    # Files kept on the case: what is known of each here, the file itself in the ZIP under
    # its ``export_name``.
    (
        "attachments",
        Attachment,
        ("uploaded_at", "id"),
        ["id", "kind", "media_type", "size", "uploaded_at", "retired_at", "export_name"],
    ),
    (
        "alerts",
        Alert,
        ("created_at",),
        ["reference", "status", "area", "week_of", "published_at", "retracted_at"],
    ),
    ("alert_identifiers", AlertIdentifier, ("alert__created_at", "id"), ["alert_id", "kind"]),
    # Everything about the client that left the charity, exactly as it was sent.
    (
        "disclosures",
        Disclosure,
        ("sent_at", "version"),
        ["kind", "recipient_name", "destination", "version", "sent_at", "content_type"],
    ),
]
CASE_CONTEXT = [
    "reference",
    "offence_types",
    "incident_date",
    "risk_level",
    "support_status",
    "justice_stage",
    "opened_at",
    "closed_at",
    "closure_reason",
]
CLIENT_CONTEXT = [
    "interpreter_needed",
    "work_settings",
    "vulnerability_flags",
    "created_at",
]
CONTACT_CONTEXT = [
    "kind",
    "safe_to_call",
    "safe_to_text",
    "safe_to_voicemail",
    "safe_times",
    "status",
    "verified_at",
    "retired_at",
]


def _case_export(case: Case) -> dict:
    item: dict[str, Any] = {"case": _section(Case.objects.filter(pk=case.pk), CASE_CONTEXT)[0]}
    for name, model, order, context in CASE_SECTIONS:
        path = case_path(model)
        if path is None:
            raise LookupError(f"{model._meta.label} has no path to its case in the registry")
        rows = model._base_manager.filter(**{path: case}).order_by(*order)
        item[name] = _section(rows, context)
    # Shares name their force rather than its id.
    item["shares"] = [
        {
            "police_force": s.police_force.name,
            "share_reference": s.share_reference,
            "level": s.level,
            "status": s.status,
            "started_at": _value(s.started_at),
            "ended_at": _value(s.ended_at),
        }
        for s in case.shares.select_related("police_force")
    ]
    return item


def export_client(client: Client) -> dict:
    """Everything Casework holds about the client, decrypted, as plain data."""
    return {
        "exported_at": timezone.now().isoformat(),
        "client": _section(Client.objects.filter(pk=client.pk), CLIENT_CONTEXT)[0],
        "contact_methods": _section(client.contact_methods.order_by("created_at"), CONTACT_CONTEXT),
        "cases": [
            _case_export(case) for case in Case.objects.filter(client=client).order_by("opened_at")
        ],
    }


def summary_text(data: dict) -> str:
    """A readable account of the export, for the person who asked."""
    client = data["client"]
    lines = [
        "Information held about you",
        f"Prepared {data['exported_at'][:10]}.",
        "",
        f"Name you asked us to use: {client['pseudonym']}",
        f"Legal name: {client['legal_name'] or 'not recorded'}",
        f"Date of birth: {client['date_of_birth'] or 'not recorded'}",
        f"Ways to contact you we have held: {len(data['contact_methods'])}",
        "",
    ]
    for item in data["cases"]:
        case = item["case"]
        lines += [
            f"Case {case['reference']}, opened {case['opened_at'][:10]}"
            + (f", closed {case['closed_at'][:10]}" if case["closed_at"] else ""),
            f"  Support: {case['support_status']}; justice: {case['justice_stage']}",
            f"  Contacts recorded: {len(item['contact_log'])}; notes: {len(item['notes'])}",
            f"  Consent decisions: {len(item['consents'])}; shared with police: "
            f"{', '.join(s['police_force'] for s in item['shares']) or 'never'}",
            f"  Court hearings: {len(item['court_events'])}",
            f"  Files kept: {len(item['attachments'])} (in the attachments folder)",
            f"  Sent outside the charity: {len(item['disclosures'])} package(s), to "
            f"{', '.join(sorted({d['recipient_name'] for d in item['disclosures']})) or 'nobody'}",
            "",
        ]
    lines.append("The full detail is in data.json.")
    return "\n".join(lines)


def export_zip(data: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("summary.txt", summary_text(data))
        for item in data["cases"]:
            for row in item["attachments"]:
                attachment = Attachment.objects.get(pk=row["id"])
                with archive.open(row["export_name"], "w") as file:
                    for chunk in plaintext(attachment):
                        file.write(chunk)
    return buffer.getvalue()


@transaction.atomic
def client_export(*, client: Client, by: User, fmt: str) -> dict[str, Any]:
    """Everything held about the client (``export_client``), for a subject access request, and
    the audit event of its handing out with it: no export leaves without its record."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": ["Use json or zip."]})
    data = export_client(client)
    audit_record(actor=by, action="client.export", target=client, detail={"format": fmt})
    return data


def _court_case(client: Client) -> Case | None:
    """The client's case whose court process is open: at a court stage, or with a hearing
    listed ahead."""
    upcoming = CourtEvent.objects.filter(
        case__client=client, status=HearingStatus.LISTED, starts_at__gte=timezone.now()
    )
    return (
        Case.objects.filter(client=client)
        .filter(models.Q(justice_stage__in=COURT_STAGES) | models.Q(pk__in=upcoming.values("case")))
        .order_by("opened_at")
        .first()
    )


def court_process_open(client: Client) -> bool:
    return _court_case(client) is not None


def _erasable(client: Client, reason: str) -> Client:
    locked = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    if locked.anonymised_at is not None:
        raise Conflict("This client has already been erased.", code="already_erased")
    if not reason.strip():
        raise ValidationError({"reason": ["Record why the client is being erased."]})
    return locked


@transaction.atomic
def erase_client(*, client: Client, by: User, reason: str) -> Client:
    """Erases a client on request: open cases close, every case and the client are anonymised.
    Refused while a court case is open: erasing then could harm the prosecution, so it is a
    forced erasure, which a second supervisor must approve (``erasure_force_propose``)."""
    locked = _erasable(client, reason)
    if court_process_open(locked):
        raise Conflict(
            "A court case is open for this client: erasing now could harm the prosecution. "
            "Propose a forced erasure (force, with the reason); a second supervisor must "
            "approve it.",
            code="court_case_open",
        )
    return _erase(locked, by=by, requested_by=by, reason=reason)


def _erase(
    locked: Client, *, by: User, requested_by: User, reason: str, approval: Approval | None = None
) -> Client:
    for case in Case.objects.filter(client=locked).exclude(support_status=SupportStatus.CLOSED):
        case_transition(
            case=case,
            actor=by,
            lifecycle="support",
            to=SupportStatus.CLOSED,
            reason="Closed for erasure at the client's request.",
            closure_reason="other",
        )
    for case in Case.objects.filter(client=locked):
        anonymise_case(case, actor=by, reason="erasure")
    anonymise_client(locked, actor=by, reason="erasure")
    forced = approval is not None
    ErasureRecord.objects.create(
        client=locked,
        requested_by=requested_by,
        reason=reason,
        forced=forced,
        approval=approval,
        erased_at=timezone.now(),
    )
    detail: dict[str, Any] = {"forced": forced}
    if approval is not None:
        detail["approval"] = str(approval.pk)
    audit_record(actor=by, action="client.erase", target=locked, detail=detail)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def erasure_force_propose(*, client: Client, by: User, reason: str) -> Approval:
    """Proposes erasing a client while a court case is open; nothing is erased until a second
    supervisor approves. Where no court case is open there is nothing to force: erase directly."""
    locked = _erasable(client, reason)
    court_case = _court_case(locked)
    if court_case is None:
        raise Conflict(
            "No court case is open for this client: erase without force.", code="nothing_to_force"
        )
    kind = ApprovalKind.FORCED_ERASURE
    if pending_exists(kind=kind, client=str(locked.pk)):
        raise Conflict(
            "An erasure of this client is already waiting for approval.", code="already_proposed"
        )
    cases = Case.objects.filter(client=locked).count()
    description = (
        f"Erase the client of case {court_case.reference} ({cases} case(s) in all) although a "
        "court case is open: open cases close, and the client's identity, contact details and "
        "every free text go for good. Offence types, dates and states stay for statistics."
    )
    return approval_propose(
        kind=kind,
        organisation=locked.organisation,
        proposed_by=by,
        reason=reason,
        description=description,
        payload={"client": str(locked.pk), "case": str(court_case.pk)},
        case=court_case,
    )


def erasure_request(*, client: Client, by: User, reason: str, force: bool) -> Client | Approval:
    """A supervisor's request to erase: done at once where no court case is open; with
    ``force`` while one is, a proposal for a second supervisor (refused without ``force``)."""
    if force and court_process_open(client):
        return erasure_force_propose(client=client, by=by, reason=reason)
    return erase_client(client=client, by=by, reason=reason)


def enact_forced_erasure(approval: Approval, by: User) -> dict[str, Any]:
    """The approved erasure, done by the approver on the proposer's request and reason."""
    client = Client.objects.get(pk=approval.payload["client"])
    reason = approval.reason  # read before the erasure clears the proposal's own text
    locked = _erasable(client, reason)
    _erase(locked, by=by, requested_by=approval.proposed_by, reason=reason, approval=approval)
    return {"client": str(locked.pk)}


register(ApprovalKind.FORCED_ERASURE, enact_forced_erasure)
