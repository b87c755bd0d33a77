"""Keeping every package that leaves the charity as it was sent, and police requests for records.

``record_disclosure`` is the one way anything is recorded as sent: a share's view (here), records
released on a police request (here), and whatever else sends a client's data out (webhook
deliveries, answers to police contact requests) calls it the same way."""

import json
import uuid
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from casework.accounts.models import Organisation, User
from casework.accounts.principals import Actor, is_charity_staff, is_supervisor
from casework.audit.services import audit_record
from casework.cases.models import Case, ContactLogEntry, Note
from casework.core.errors import Conflict
from casework.court.working_days import add_working_days
from casework.crypto import blind_index
from casework.reminders.policy import policy_for
from casework.sharing.choices import ConsentScope, DecisionKind, SharingLevel
from casework.sharing.ledger import shares_in_force
from casework.sharing.models import ConsentDecision, SharedCase

from .choices import STATUS_OF_DECISION, DisclosureKind, RecordsDecision, ReleasedRecordKind
from .models import Disclosure, RecordsRequest

# A series of versions is numbered under a lock of its own, so two senders at once (two reads
# of a changed view) keep one new version between them.
CASE_KEY_SHARE = "SELECT 1 FROM cases_case WHERE id = %s FOR KEY SHARE"
SERIES_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"


def content_hash(text: str) -> str:
    """A keyed hash of what was sent: equal content, equal hash, and nothing to guess from."""
    return blind_index("disclosure", text)


def _text(content: bytes | str) -> str:
    return content.decode("utf-8") if isinstance(content, bytes) else content


def _latest(series: str) -> Disclosure | None:
    """The newest version of ``series``, its content left unread (and so undecrypted)."""
    return (
        Disclosure.objects.filter(series=series)
        .only("id", "version", "content_hash", "series")
        .order_by("-version")
        .first()
    )


@transaction.atomic
def record_disclosure(
    *,
    case: Case,
    kind: str,
    recipient: Organisation,
    content: bytes | str,
    actor: Actor | None,
    series: str | None = None,
    consent_decision: ConsentDecision | None = None,
    override_reference: uuid.UUID | None = None,
    shared_case: SharedCase | None = None,
    destination: str = "",
    content_type: str = "application/json",
    only_if_changed: bool = False,
) -> Disclosure:
    """Keeps ``content`` (exactly what ``recipient`` got) as the next version of ``series`` (a
    series of its own when none is named), under the consent decision or the override it was
    sent under; with ``only_if_changed``, an unchanged package keeps its latest version instead.
    Called inside the transaction that sends (or serves) the package, so nothing leaves
    unrecorded."""
    if consent_decision is None and override_reference is None:
        raise ValidationError(
            {"consent_decision": ["Say which consent decision or override this is sent under."]}
        )
    if consent_decision is not None and (
        consent_decision.case_id != case.pk or not consent_decision.granted
    ):
        raise ValidationError(
            {"consent_decision": ["A package is sent under a grant recorded on its own case."]}
        )
    if kind not in DisclosureKind.values:
        raise ValidationError({"kind": [f"{kind} is not a kind of disclosure."]})
    text = _text(content)
    digest = content_hash(text)
    series = series or f"{kind}:{uuid.uuid4()}"
    with connection.cursor() as cursor:
        # The key share the new row's foreign key needs at commit, taken now, before the series
        # and the audit chain's locks: the order every service takes them in (the case first).
        # Taken only at commit, a read holding the audit lock could wait on a service holding
        # the case FOR UPDATE while that service waits for the audit lock.
        cursor.execute(CASE_KEY_SHARE, [case.pk])
        cursor.execute(SERIES_LOCK, [f"disclosure:{series}"])
    latest = _latest(series)
    if only_if_changed and latest is not None and latest.content_hash == digest:
        return latest
    disclosure = Disclosure(
        case=case,
        kind=kind,
        recipient=recipient,
        destination=destination,
        shared_case=shared_case,
        series=series,
        version=latest.version + 1 if latest is not None else 1,
        consent_decision=consent_decision,
        override_reference=override_reference,
        content_type=content_type,
        content=text,
        content_hash=digest,
        sent_at=timezone.now(),
        sent_by=actor if isinstance(actor, User) else None,
    )
    disclosure.full_clean()
    disclosure.save()
    audit_record(
        actor=actor,
        action="disclosure.record",
        target=disclosure,
        organisation=case.organisation,
        case_id=case.pk,
        detail={
            "kind": kind,
            "recipient": str(recipient.pk),
            "version": disclosure.version,
            "consent_decision": str(consent_decision.public_id) if consent_decision else None,
            "override": str(override_reference) if override_reference else None,
        },
    )
    return disclosure


# --- a share's view ---------------------------------------------------------------------------


def share_package(share: SharedCase) -> bytes:
    """The bytes a read of ``share`` gives its force now, written by the API (the setting
    ``CASEWORK_SHARE_PACKAGE`` names the writer; the domain sits below the API)."""
    write = import_string(settings.CASEWORK_SHARE_PACKAGE)
    package: bytes = write(share)
    return package


def share_series(share: SharedCase) -> str:
    return f"share:{share.pk}"


def share_basis(share: SharedCase) -> ConsentDecision | None:
    """What a share rests on: under an override, the approved override decision for its force;
    otherwise the client's latest grant at its level for its force."""
    scope = (
        ConsentScope.SHARE_WITH_POLICE
        if share.level == SharingLevel.IDENTIFIED
        else ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE
    )
    decisions = ConsentDecision.objects.filter(
        case_id=share.case_id, scope=scope, police_force_id=share.police_force_id
    )
    if share.is_override:
        decisions = decisions.filter(kind=DecisionKind.OVERRIDE)
    else:
        decisions = decisions.filter(kind=DecisionKind.CONSENT, granted=True)
    return decisions.order_by("-id").first()


def share_view_disclosed(
    *, share: SharedCase, actor: Actor | None, content: bytes | None = None
) -> Disclosure:
    """The version of the share's view its force gets now (``content``: the bytes being served,
    else written here): the latest kept when it has not changed, one query; otherwise a new
    version, under the decision the share rests on (the client's grant, or the approved
    override). A share resting on neither cannot be served: nothing leaves without its
    record."""
    content = share_package(share) if content is None else content
    text = _text(content)
    latest = _latest(share_series(share))
    if latest is not None and latest.content_hash == content_hash(text):
        return latest
    kind = (
        DisclosureKind.ANONYMOUS_INTELLIGENCE
        if share.level == SharingLevel.ANONYMOUS
        else DisclosureKind.SHARED_CASE
    )
    return record_disclosure(
        case=share.case,
        kind=kind,
        recipient=share.police_force,
        content=text,
        actor=actor,
        series=share_series(share),
        consent_decision=share_basis(share),
        shared_case=share,
        only_if_changed=True,
    )


# --- police requests for records --------------------------------------------------------------


def response_days(organisation: Organisation) -> int:
    """The organisation's response time to a request for records, in working days."""
    days: int = policy_for(organisation).records_request_working_days
    return days


def _lock_share_in_force(shared_case: SharedCase) -> SharedCase:
    """Locks the case, then the share (the order consent decisions take), and refuses a share
    that has ended or whose consent lapsed."""
    Case.objects.select_for_update(no_key=True).get(pk=shared_case.case_id)
    share: SharedCase | None = (
        shares_in_force(SharedCase.objects.filter(pk=shared_case.pk))
        .select_for_update(no_key=True, of=("self",))
        .select_related("police_force", "case__organisation")
        .first()
    )
    if share is None:
        raise Conflict("This share has ended.", code="share_ended")
    return share


def _required(**texts: str) -> None:
    errors = {name: ["This field may not be blank."] for name, v in texts.items() if not v.strip()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def records_request_make(
    *,
    shared_case: SharedCase,
    requested_by: User,
    material: str,
    line_of_enquiry: str,
    necessity: str,
    proportionality: str,
) -> RecordsRequest:
    """A force asks, through its own share in force, for records the charity holds. It states
    what it asks for, the reasonable line of enquiry the material is relevant to and why asking
    is necessary and proportionate: the conditions of section 44A(3) of the Police, Crime,
    Sentencing and Courts Act 2022 (as inserted by section 28 of the Victims and Prisoners Act
    2024) for a victim information request. The answer is due within the charity's response
    time, in working days."""
    share = _lock_share_in_force(shared_case)
    if requested_by.organisation_id != share.police_force_id:
        raise ValidationError({"requested_by": ["Only the sharing force asks on this share."]})
    _required(
        material=material,
        line_of_enquiry=line_of_enquiry,
        necessity=necessity,
        proportionality=proportionality,
    )
    now = timezone.now()
    organisation = share.case.organisation
    request = RecordsRequest(
        case=share.case,
        shared_case=share,
        requested_by=requested_by,
        requested_at=now,
        material=material,
        line_of_enquiry=line_of_enquiry,
        necessity=necessity,
        proportionality=proportionality,
        respond_by=add_working_days(timezone.localdate(now), response_days(organisation)),
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=requested_by,
        action="records_request.create",
        target=request,
        organisation=organisation,
        case_id=share.case_id,
        detail={"share": share.share_reference, "respond_by": request.respond_by.isoformat()},
    )
    return request


def _lock_request(records_request: RecordsRequest, actor: User) -> RecordsRequest:
    Case.objects.select_for_update(no_key=True).get(pk=records_request.case_id)
    locked = (
        RecordsRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__organisation")
        .get(pk=records_request.pk)
    )
    if not is_charity_staff(actor) or actor.organisation_id != locked.case.organisation_id:
        raise ValidationError({"actor": ["Only the charity's own staff answer this request."]})
    if locked.decision:
        raise Conflict("This request has already been decided.", code="already_decided")
    return locked


@transaction.atomic
def records_request_client_told(
    *,
    records_request: RecordsRequest,
    actor: User,
    told_on: date | None = None,
    not_told_reason: str = "",
) -> RecordsRequest:
    """The client was told of the request (on ``told_on``), or is not told, for the reason
    recorded (``not_told_reason``: an exception, such as telling them putting them at risk). One
    of the two comes before anything is released. (The force has its own duty to give the
    victim notice of its request, section 44B of the 2022 Act as inserted by the 2024 Act; this
    is the charity's record of its own.)"""
    locked = _lock_request(records_request, actor)
    if locked.client_notice_given:
        raise Conflict("The client's notice is already recorded.", code="already_recorded")
    reason = not_told_reason.strip()
    if (told_on is None) == (not reason):
        raise ValidationError(
            {"told_on": ["Give the day the client was told, or the reason they are not told."]}
        )
    if told_on is not None:
        if not timezone.localdate(locked.requested_at) <= told_on <= timezone.localdate():
            raise ValidationError(
                {"told_on": ["The client is told on or after the request, and not after today."]}
            )
        locked.client_told_on = told_on
    else:
        locked.client_not_told_reason = reason
    locked.client_notice_by = actor
    locked.client_notice_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="records_request.client_told" if told_on else "records_request.client_not_told",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=["client_told_on"] if told_on else ["client_not_told_reason"],
    )
    return locked


RecordRef = tuple[str, uuid.UUID]


def _released_records(case_id: uuid.UUID, records: Sequence[RecordRef]) -> list[dict[str, object]]:
    """The chosen records of the case, in the order chosen, as the force will get them; an id
    that is not a record of this case is refused by name."""
    chosen = list(dict.fromkeys(records))
    ids = {kind: [pk for k, pk in chosen if k == kind] for kind in ReleasedRecordKind.values}
    notes = {n.pk: n for n in Note.objects.filter(case_id=case_id, pk__in=ids["note"])}
    entries = {
        e.pk: e
        for e in ContactLogEntry.objects.filter(case_id=case_id, pk__in=ids["contact_log_entry"])
    }
    missing = [
        f"No {kind.replace('_', ' ')} {pk} on this case."
        for kind, pk in chosen
        if pk not in (notes if kind == ReleasedRecordKind.NOTE else entries)
    ]
    if missing:
        raise ValidationError({"records": missing})
    released: list[dict[str, object]] = []
    for kind, pk in chosen:
        if kind == ReleasedRecordKind.NOTE:
            note = notes[pk]
            released.append(
                {
                    "kind": kind,
                    "id": str(pk),
                    "created_at": note.created_at.isoformat(),
                    "body": note.body,
                }
            )
        else:
            entry = entries[pk]
            released.append(
                {
                    "kind": kind,
                    "id": str(pk),
                    "occurred_at": entry.occurred_at.isoformat(),
                    "channel": entry.channel,
                    "direction": entry.direction,
                    "outcome": entry.outcome,
                    "note": entry.note,
                }
            )
    return released


@transaction.atomic
def records_request_decide(
    *,
    records_request: RecordsRequest,
    actor: User,
    decision: str,
    reason: str,
    reason_for_police: str = "",
    records: Sequence[RecordRef] = (),
    summary: str = "",
) -> RecordsRequest:
    """A supervisor of the charity releases all, part or none of what was asked for, with their
    reasons (``reason``, for the charity) and, for the force, a short one
    (``reason_for_police``). A release carries the chosen records, a written summary or both,
    goes out only once the client was told (or the reason they are not is recorded), and is
    kept as a disclosure under the grant the share rests on."""
    locked = _lock_request(records_request, actor)
    if not is_supervisor(actor):
        raise ValidationError({"actor": ["A supervisor decides a request for records."]})
    if decision not in RecordsDecision.values:
        raise ValidationError({"decision": [f"{decision} is not a decision."]})
    _required(reason=reason)
    summary = summary.strip()
    disclosure = None
    if decision == RecordsDecision.REFUSE:
        if records or summary:
            raise ValidationError({"records": ["A refusal releases nothing."]})
        _required(reason_for_police=reason_for_police)
    else:
        if not records and not summary:
            raise ValidationError(
                {"records": ["Choose the records to release, or write a summary of them."]}
            )
        if not locked.client_notice_given:
            raise Conflict(
                "Tell the client before anything is released, or record why they are not told.",
                code="client_not_told",
            )
        share = _lock_share_in_force(locked.shared_case)
        package = {
            "records_request": str(locked.pk),
            "decision": decision,
            "summary": summary or None,
            "records": _released_records(locked.case_id, records),
        }
        disclosure = record_disclosure(
            case=locked.case,
            kind=DisclosureKind.RECORDS_RELEASE,
            recipient=share.police_force,
            content=json.dumps(package, ensure_ascii=False, separators=(",", ":")),
            actor=actor,
            series=f"records_request:{locked.pk}",
            consent_decision=share_basis(share),
            shared_case=share,
        )
    locked.decision = decision
    locked.status = STATUS_OF_DECISION[RecordsDecision(decision)]
    locked.decision_reason = reason.strip()
    locked.reason_for_police = reason_for_police.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.disclosure = disclosure
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="records_request.decide",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=["decision", "status"],
        detail={"decision": decision, "disclosure": str(disclosure.pk) if disclosure else None},
    )
    return locked
