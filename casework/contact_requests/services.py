"""Police contact requests: the force asks, the charity relays, the client answers, and the force
learns only the answer (``answer_told_to_force``: the one place its payload is built)."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import Actor, is_charity_staff, is_police_liaison
from casework.audit.services import audit_record
from casework.cases.choices import ContactDirection
from casework.cases.models import Case, ContactLogEntry
from casework.clients.models import ContactMethod
from casework.core.errors import Conflict
from casework.court.working_days import add_working_days
from casework.disclosures.choices import DisclosureKind
from casework.disclosures.services import record_disclosure, share_basis
from casework.reminders.choices import ACTIVE_STATUSES, ReminderKind, ReminderStatus
from casework.reminders.models import Reminder
from casework.reminders.policy import policy_for
from casework.reminders.rules.contact_requests import FIELDS, request_candidates
from casework.reminders.scan import raise_now
from casework.sharing.choices import ConsentMethod, ConsentScope, SharingLevel
from casework.sharing.ledger import shares_in_force
from casework.sharing.models import SharedCase
from casework.sharing.selectors import PoliceContact, police_contact, police_routes
from casework.sharing.services import consent_record

from .choices import (
    ANSWERS,
    AgreedRoute,
    ContactRequestOutcome,
    ContactRequestStatus,
    ContactRequestUrgency,
)
from .models import ContactRequest

LONDON = ZoneInfo("Europe/London")
URGENT_RESPONSE = timedelta(hours=4)
SYSTEM_EXPIRY = "contact-request-expiry"


def response_deadline(organisation: Organisation, created_at: datetime, urgency: str) -> datetime:
    """When an unanswered request goes to the supervisors: four hours for an urgent one, else the
    charity's response time in working days (weekends and bank holidays of England and Wales do
    not count), at the same UK wall-clock time."""
    if urgency == ContactRequestUrgency.URGENT:
        return created_at + URGENT_RESPONSE
    days = policy_for(organisation).contact_request_response_working_days
    local = created_at.astimezone(LONDON)
    due = add_working_days(local.date(), days)
    return datetime.combine(due, local.timetz().replace(tzinfo=None), tzinfo=LONDON)


def _lock_share_in_force(shared_case: SharedCase) -> SharedCase:
    """Locks the case (as consent decisions do, so a withdrawal and a request cannot interleave)
    and then the share, which must still be active under consent in force today."""
    Case.objects.select_for_update(no_key=True).get(pk=shared_case.case_id)
    share: SharedCase | None = (
        shares_in_force(SharedCase.objects.filter(pk=shared_case.pk))
        .select_for_update(no_key=True)
        .first()
    )
    if share is None:
        raise Conflict("This share has ended.", code="share_ended")
    return share


def _detail(request: ContactRequest, **more: Any) -> dict[str, Any]:
    return {
        "share": request.shared_case.share_reference,
        "police_force": str(request.shared_case.police_force_id),
        **more,
    }


@transaction.atomic
def contact_request_create(
    *,
    shared_case: SharedCase,
    requested_by: User,
    purpose: str,
    explanation: str,
    urgency: str,
    preferred_contact: str,
    window_from: datetime,
    window_until: datetime,
) -> ContactRequest:
    """A force's request to reach the person behind one of its shares. The case's staff are
    reminded in the same transaction (an urgent request reaches the supervisors too)."""
    share = _lock_share_in_force(shared_case)
    if not is_police_liaison(requested_by) or requested_by.organisation_id != share.police_force_id:
        raise ValidationError({"requested_by": ["Only the sharing force asks on this share."]})
    now = timezone.now()
    if window_until <= window_from:
        raise ValidationError({"window_until": ["The window must end after it starts."]})
    if window_until <= now:
        raise ValidationError({"window_until": ["The window must end in the future."]})
    case = share.case
    request = ContactRequest(
        case=case,
        shared_case=share,
        requested_by=requested_by,
        purpose=purpose,
        explanation=explanation,
        urgency=urgency,
        preferred_contact=preferred_contact,
        window_from=window_from,
        window_until=window_until,
        created_at=now,
        respond_by=response_deadline(case.organisation, now, urgency),
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=requested_by,
        action="contact_request.create",
        target=request,
        organisation=case.organisation,
        case_id=case.pk,
        detail=_detail(request, purpose=purpose, urgency=urgency),
    )
    rows = list(ContactRequest.objects.filter(pk=request.pk).values_list(*FIELDS))
    raise_now(ReminderKind.CONTACT_REQUEST, request_candidates(rows))
    return request


def _lock_open(contact_request: ContactRequest) -> ContactRequest:
    """Locks the case first, then the request, in the order every writer of either takes; two
    answers at once are one answer and a refusal."""
    Case.objects.select_for_update(no_key=True).get(pk=contact_request.case_id)
    locked = (
        ContactRequest.objects.select_for_update(no_key=True)
        .select_related("shared_case", "case__organisation")
        .get(pk=contact_request.pk)
    )
    if not locked.is_open:
        raise Conflict(
            f"This request is already {locked.get_status_display().lower()}.",
            code="contact_request_closed",
        )
    return locked


def _close_reminders(request: ContactRequest) -> None:
    """The reminders about a request end with it (the next scan would cancel them too)."""
    Reminder.objects.filter(
        case_id=request.case_id,
        kind__in=[ReminderKind.CONTACT_REQUEST, ReminderKind.CONTACT_REQUEST_OVERDUE],
        status__in=ACTIVE_STATUSES,
        detail__contact_request=str(request.pk),
    ).update(status=ReminderStatus.CANCELLED, cancelled_at=timezone.now())


def _route_method(request: ContactRequest, contact_method_id: uuid.UUID | None) -> ContactMethod:
    if contact_method_id is None:
        raise ValidationError({"contact_method": ["Say which of the client's routes police use."]})
    client_id = request.case.client_id
    method = ContactMethod.objects.filter(pk=contact_method_id, client_id=client_id).first()
    if method is None:
        raise ValidationError({"contact_method": ["This is not a contact method of this client."]})
    if not police_routes(client_id).filter(pk=method.pk).exists():
        raise ValidationError(
            {
                "contact_method": [
                    "This route is not marked as one police may use: it must be a working phone "
                    "or email, marked for police and safe to call or to write to."
                ]
            }
        )
    return method


def _check_agreement(
    request: ContactRequest,
    route: str | None,
    contact_method_id: uuid.UUID | None,
    acknowledge_identifying_route: bool,
) -> ContactMethod | None:
    if not route:
        raise ValidationError({"route": ["Say which route the client chose."]})
    if route != AgreedRoute.CONTACT_METHOD:
        if contact_method_id is not None:
            raise ValidationError(
                {"contact_method": ["Only the contact-method route names a contact method."]}
            )
        return None
    method = _route_method(request, contact_method_id)
    if request.shared_case.level == SharingLevel.ANONYMOUS and not acknowledge_identifying_route:
        raise ValidationError(
            {
                "acknowledge_identifying_route": [
                    "This case is shared as anonymous intelligence: the route you give is the "
                    "one identifying fact the force will learn, and with it they can reach and "
                    "may identify the client. Confirm the client understands this by sending "
                    "acknowledge_identifying_route: true."
                ]
            }
        )
    return method


def _check_not_reachable(request: ContactRequest) -> None:
    tried = ContactLogEntry.objects.filter(
        case_id=request.case_id,
        direction=ContactDirection.OUTBOUND,
        occurred_at__gte=request.created_at,
    ).exists()
    if not tried:
        raise ValidationError(
            {
                "outcome": [
                    "Log at least one attempt to reach the client since the request before "
                    "recording them as not reachable."
                ]
            }
        )


@transaction.atomic
def contact_request_answer(
    *,
    contact_request: ContactRequest,
    answered_by: User,
    outcome: str,
    route: str | None = None,
    contact_method: uuid.UUID | None = None,
    acknowledge_identifying_route: bool = False,
    client_reason: str | None = None,
    consent_method: str = ConsentMethod.VERBAL,
) -> ContactRequest:
    """Records the client's answer, once. An agreement to be reached on one of their own routes
    is recorded in the consent ledger as ``police_may_contact_directly`` for the force (an
    anonymous share stays anonymous: the route is the one identifying fact that leaves); an
    agreement to be reached through the charity, or to meet there, gives no direct contact and
    so records no such grant."""
    request = _lock_open(contact_request)
    case = request.case
    if not is_charity_staff(answered_by) or answered_by.organisation_id != case.organisation_id:
        raise ValidationError({"answered_by": ["Only the charity's own staff record the answer."]})
    if outcome not in ContactRequestOutcome.values:
        raise ValidationError({"outcome": ["Not a known answer."]})
    method = None
    if outcome == ContactRequestOutcome.AGREED:
        if not shares_in_force(SharedCase.objects.filter(pk=request.shared_case_id)).exists():
            raise ValidationError({"status": ["The share this request was made on has ended."]})
        method = _check_agreement(request, route, contact_method, acknowledge_identifying_route)
    else:
        if route or contact_method is not None:
            raise ValidationError({"route": ["Only an agreement has a route."]})
        if outcome == ContactRequestOutcome.NOT_REACHABLE:
            _check_not_reachable(request)
    now = timezone.now()
    request.status = outcome
    request.answered_at = now
    request.answered_by = answered_by
    request.route = (route or "") if outcome == ContactRequestOutcome.AGREED else ""
    request.contact_method = method
    request.client_reason = client_reason or None
    if method is not None:
        request.consent_decision = consent_record(
            case=case,
            recorded_by=answered_by,
            scope=ConsentScope.POLICE_MAY_CONTACT_DIRECTLY,
            granted=True,
            method=consent_method,
            police_force=request.shared_case.police_force,
        )
    request.full_clean()
    request.save()
    audit_record(
        actor=answered_by,
        action="contact_request.answer",
        target=request,
        organisation=case.organisation,
        case_id=case.pk,
        changed_fields=["status", "route", "contact_method", "client_reason"],
        detail=_detail(
            request,
            outcome=outcome,
            route=request.route or None,
            consent_decision=(
                str(request.consent_decision.public_id) if request.consent_decision else None
            ),
        ),
    )
    _disclose_answer(request, actor=answered_by)
    _close_reminders(request)
    return request


def _disclose_answer(request: ContactRequest, *, actor: User) -> None:
    """What the force is told of the answer leaves the charity: it is kept as sent, under the
    client's grant of direct contact when they gave one, else under the share's own basis."""
    told = answer_told_to_force(request)
    basis = request.consent_decision or share_basis(request.shared_case)
    if told is None or basis is None:
        return
    record_disclosure(
        case=request.case,
        kind=DisclosureKind.CONTACT_REQUEST_ANSWER,
        recipient=request.shared_case.police_force,
        content=json.dumps(told, sort_keys=True, separators=(",", ":"), default=str),
        actor=actor,
        series=f"contact_request:{request.pk}",
        consent_decision=basis,
        shared_case=request.shared_case,
    )


@transaction.atomic
def contact_request_withdraw(*, contact_request: ContactRequest, by: User) -> ContactRequest:
    """The force no longer needs the contact: an open request ends, and the charity stops
    asking."""
    request = _lock_open(contact_request)
    if by.organisation_id != request.shared_case.police_force_id:
        raise ValidationError({"by": ["Only the force that asked withdraws its request."]})
    request.status = ContactRequestStatus.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=by,
        action="contact_request.withdraw",
        target=request,
        organisation=request.case.organisation,
        case_id=request.case_id,
        changed_fields=["status"],
        detail=_detail(request),
    )
    _close_reminders(request)
    return request


def contact_requests_close_for_ended_share(*, share: SharedCase, actor: Actor) -> int:
    """A share that ends (consent withdrawn or lapsed, a case anonymised) closes its open
    requests, inside the ending's transaction: the force is told only that each is closed."""
    now = timezone.now()
    closed = 0
    for request in ContactRequest.objects.select_for_update(no_key=True).filter(
        shared_case=share, status=ContactRequestStatus.OPEN
    ):
        request.status = ContactRequestStatus.CLOSED
        request.closed_at = now
        request.save(update_fields=["status", "closed_at"])
        request.shared_case = share  # the share as it is ending, for the audit's detail
        audit_record(
            actor=actor,
            action="contact_request.close",
            target=request,
            organisation=share.case.organisation,
            case_id=share.case_id,
            changed_fields=["status"],
            detail=_detail(request, reason="share_ended"),
        )
        _close_reminders(request)
        closed += 1
    return closed


@transaction.atomic(durable=True)
def contact_requests_expire(*, now: datetime | None = None) -> int:
    """Open requests whose window has ended expire. Derived from the rows each time, so a
    missed or doubled run changes nothing; the periodic task's own transaction."""
    now = now or timezone.now()
    due = list(
        ContactRequest.objects.filter(status=ContactRequestStatus.OPEN, window_until__lte=now)
        .order_by("case_id")
        .values_list("pk", "case_id")
    )
    expired = 0
    for request_id, case_id in due:
        Case.objects.select_for_update(no_key=True).get(pk=case_id)
        request = (
            ContactRequest.objects.select_for_update(no_key=True)
            .select_related("shared_case", "case__organisation")
            .get(pk=request_id)
        )
        if not request.is_open:
            continue
        request.status = ContactRequestStatus.EXPIRED
        request.closed_at = now
        request.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=SYSTEM_EXPIRY,
            action="contact_request.expire",
            target=request,
            organisation=request.case.organisation,
            case_id=case_id,
            changed_fields=["status"],
            detail=_detail(request),
        )
        _close_reminders(request)
        expired += 1
    return expired


def charity_contact(request: ContactRequest) -> PoliceContact:
    """Who at the charity police go through for ``request``'s case: the case's person, by the
    same ranking as everywhere else, and the charity's name."""
    return police_contact(request.shared_case, direct_allowed=False)


def answer_told_to_force(
    request: ContactRequest, *, through: PoliceContact | None = None
) -> dict[str, Any] | None:
    """Exactly what the force is told of the client's answer, and nothing more: the outcome, and
    on an agreement the one route the client chose (that contact method, or the charity's
    contact for "through the charity" and a meeting there). Never the client's reason, nor
    anything else from the case; and once the client has withdrawn the direct contact they
    agreed to (``direct_contact_withdrawn``, annotated by the selectors), not even the route.
    ``None`` while there is no answer. ``through`` is
    ``charity_contact(request)`` when the caller already has it (a page of one case's requests
    shares it).

    This is the payload that leaves the charity: whatever records disclosures records this."""
    if request.status not in ANSWERS:
        return None
    if request.status != ContactRequestStatus.AGREED:
        return {"outcome": request.status}
    if request.route == AgreedRoute.CONTACT_METHOD and getattr(
        request, "direct_contact_withdrawn", False
    ):
        # The client has since withdrawn direct contact: the route is no longer given.
        return {"outcome": request.status, "route": request.route}
    if request.route == AgreedRoute.CONTACT_METHOD:
        method = request.contact_method
        assert method is not None  # noqa: S101 (a database constraint says so)
        contact: dict[str, Any] = {
            "kind": method.kind,
            "value": method.value,
            "safe_to_call": method.safe_to_call,
            "safe_to_text": method.safe_to_text,
            "safe_to_voicemail": method.safe_to_voicemail,
            "safe_times": method.safe_times,
        }
    else:
        through = through or charity_contact(request)
        contact = {
            "organisation": through.organisation,
            "contact_through": through.contact_through,
            "email": through.email,
        }
    return {"outcome": request.status, "route": request.route, "contact": contact}
