"""Messages to clients: planned with what to say and when, addressed only when sent.

A message moves planned → sending → sent / failed / undeliverable, each step under a row lock:
two workers never send one message, and a worker killed mid-send leaves it in "sending" for
the recovery sweep, which asks the gateway whether it went before trying again. Each step commits
on its own (``durable``): a caller's transaction around them would hold the locks across the
hand-over to the gateway and could undo a step the gateway has already acted on."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.principals import Actor
from casework.audit.services import audit_record
from casework.cases.choices import ContactChannel, ContactDirection, ContactOutcome
from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case
from casework.cases.services.contacts import contact_log
from casework.clients.choices import ContactKind, ContactStatus
from casework.clients.models import Client, ContactMethod
from casework.core.errors import Conflict

from .assignees import reminder_assignee_of
from .choices import MessageChannel, MessageStatus, ReminderKind
from .gateway import DeliveryFailed, gateway
from .models import GatewayDelivery, OutboundMessage, Reminder
from .rules.common import LONDON

logger = logging.getLogger("casework.messages")

# Which routes can carry each channel, and the safety flag that must be set on the route.
ROUTES: dict[str, tuple[set[str], str]] = {
    MessageChannel.TEXT: ({ContactKind.MOBILE}, "safe_to_text"),
    # An email is written contact like a text: the same flag covers both.
    MessageChannel.EMAIL: ({ContactKind.EMAIL}, "safe_to_text"),
    MessageChannel.CALL: ({ContactKind.MOBILE, ContactKind.LANDLINE}, "safe_to_voicemail"),
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FAILURE_OUTCOME: dict[str, str] = {
    MessageChannel.TEXT: ContactOutcome.NUMBER_UNAVAILABLE,
    MessageChannel.EMAIL: ContactOutcome.EMAIL_BOUNCED,
    MessageChannel.CALL: ContactOutcome.NUMBER_UNAVAILABLE,
}
LOG_CHANNEL: dict[str, str] = {
    MessageChannel.TEXT: ContactChannel.TEXT_MESSAGE,
    MessageChannel.EMAIL: ContactChannel.EMAIL,
    MessageChannel.CALL: ContactChannel.PHONE_CALL,
}


@transaction.atomic
def message_plan(
    *, case: Case, author: User, purpose: str, channel: str, body: str, send_after: datetime
) -> OutboundMessage:
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if locked.is_closed:
        raise Conflict("The case is closed; reopen it to message the client.", code="case_closed")
    if channel not in ROUTES:
        raise ValidationError({"channel": ["Choose text, email or call."]})
    now = timezone.now()
    if not now - timedelta(hours=1) <= send_after <= now + timedelta(days=366):
        raise ValidationError(
            {"send_after": ["Plan a message from now to a year ahead (use now to send at once)."]}
        )
    message = OutboundMessage(
        case=locked,
        purpose=purpose,
        channel=channel,
        body=body,
        send_after=send_after,
        created_by=author,
    )
    message.full_clean()
    message.save()
    audit_record(
        actor=author,
        action="message.plan",
        target=message,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["purpose", "channel", "body", "send_after"],
    )
    return message


@transaction.atomic
def message_cancel(*, message: OutboundMessage, actor: User) -> OutboundMessage:
    locked = OutboundMessage.objects.select_for_update(no_key=True).get(pk=message.pk)
    if locked.status != MessageStatus.PLANNED:
        raise Conflict(f"This message is already {locked.status}.", code="message_not_planned")
    locked.status = MessageStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="message.cancel",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
    )
    return locked


def messages_cancel_planned(*, case: Case, actor: Actor, reason: str) -> int:
    """Cancels every planned message to the case's client, each audited, inside the caller's
    transaction: a case that closes, or whose client is erased or anonymised, must not reach the
    client afterwards. A message a worker has already claimed is stopped at its hand-over
    (``message_deliver`` checks the case again)."""
    planned = list(
        OutboundMessage.objects.select_for_update(no_key=True)
        .filter(case_id=case.pk, status=MessageStatus.PLANNED)
        .order_by("send_after", "id")
    )
    for message in planned:
        message.status = MessageStatus.CANCELLED
        message.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="message.cancel",
            target=message,
            organisation=case.organisation,
            case_id=case.pk,
            changed_fields=["status"],
            detail={"reason": reason},
        )
    return len(planned)


# The actor the audit trail names when sending itself finds a message must not go.
SENDER = "message sending"

_CASE_STATE = """
    SELECT c.support_status, c.anonymised_at IS NOT NULL, cl.anonymised_at IS NOT NULL
    FROM {case} c JOIN {client} cl ON cl.id = c.client_id
    WHERE c.id = %s
"""


def _why_not_now(case_id, *, lock: bool) -> str | None:
    """Why a message to this case's client must not go now, or None: the case closed, or the
    case or the client was anonymised (an erasure does both).

    With ``lock`` the case row is held FOR KEY SHARE to the end of the transaction: a closure or
    an anonymisation (each takes the row FOR UPDATE) waits until it ends, while ordinary edits of
    the case do not. Callers lock the case before any message row, in the order those take."""
    sql = _CASE_STATE.format(case=Case._meta.db_table, client=Client._meta.db_table)
    if lock:
        sql += " FOR KEY SHARE OF c"
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        status, case_anonymised, client_anonymised = cursor.fetchone()
    if client_anonymised:
        return "client_anonymised"
    if case_anonymised:
        return "case_anonymised"
    if status == SupportStatus.CLOSED:
        return "case_closed"
    return None


def _cancel_unsent(message_id, reason: str, expected: str) -> str:
    locked = (
        OutboundMessage.objects.select_for_update(no_key=True)
        .select_related("case")
        .get(pk=message_id)
    )
    if locked.status != expected:
        return locked.status
    locked.status = MessageStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        actor=SENDER,
        action="message.cancel",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=["status"],
        detail={"reason": reason},
    )
    return locked.status


def _inside(windows: list, moment: datetime) -> bool:
    if not windows:
        return True
    local = moment.astimezone(LONDON)
    day, clock = WEEKDAYS[local.weekday()], local.strftime("%H:%M")
    return any(day in w["days"] and w["from"] <= clock < w["to"] for w in windows)


def _next_window_start(windows: list, moment: datetime) -> datetime | None:
    local = moment.astimezone(LONDON)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        starts = sorted(w["from"] for w in windows if WEEKDAYS[day.weekday()] in w["days"])
        for start in starts:
            hour, minute = map(int, start.split(":"))
            candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
            if candidate > local:
                return candidate
    return None


def choose_route(
    message: OutboundMessage, now: datetime
) -> tuple[ContactMethod | None, datetime | None]:
    """The route to use now: the client's current methods that can carry the channel and are
    marked safe for it, verified or unverified but not failing, preferred first. Returns
    (route, None); or (None, later) when a safe route exists but not at this hour; or
    (None, None) when there is none at all."""
    kinds, flag = ROUTES[message.channel]
    usable = list(
        ContactMethod.objects.filter(
            client_id=message.case.client_id,
            kind__in=kinds,
            status__in=[ContactStatus.VERIFIED, ContactStatus.UNVERIFIED],
            **{flag: True},
        ).order_by("-preferred", F("verified_at").desc(nulls_last=True), "created_at")
    )
    for method in usable:
        if _inside(method.safe_times, now):
            return method, None
    later = [t for t in (_next_window_start(m.safe_times, now) for m in usable) if t]
    return None, (min(later) if later else None)


def _undeliverable(message: OutboundMessage) -> None:
    message.status = MessageStatus.UNDELIVERABLE
    message.failure_reason = "No current route is safe for this channel."
    message.save(update_fields=["status", "failure_reason"])
    assignee = _caseworker_of(message)
    if assignee is not None:
        Reminder.objects.get_or_create(
            dedup_key=f"message:{message.pk}",
            defaults={
                "organisation_id": message.case.organisation_id,
                "kind": ReminderKind.MESSAGE_UNDELIVERABLE,
                "case_id": message.case_id,
                "assignee_id": assignee,
                "due_at": timezone.now(),
                "detail": {"message": str(message.pk), "purpose": message.purpose},
            },
        )


def _caseworker_of(message: OutboundMessage):
    """Whoever the case's reminders go to now (the author only if the charity has nobody)."""
    assignee = reminder_assignee_of(message.case)
    return assignee.pk if assignee is not None else message.created_by_id


def message_claim(message_id) -> OutboundMessage | None:
    """Moves a due planned message to "sending" with its route, or settles it without sending.
    Returns the message to hand over, or None."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        message = (
            OutboundMessage.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("case")
            .filter(pk=message_id, status=MessageStatus.PLANNED, send_after__lte=now)
            .first()
        )
        if message is None:
            return None
        reason = _why_not_now(message.case_id, lock=False)
        if reason is not None:
            _cancel_unsent(message.pk, reason, MessageStatus.PLANNED)
            return None
        route, later = choose_route(message, now)
        if route is None and later is not None:
            message.send_after = later
            message.save(update_fields=["send_after"])
            return None
        if route is None:
            _undeliverable(message)
            return None
        message.status = MessageStatus.SENDING
        message.contact_method = route
        message.attempts += 1
        message.sending_started_at = now
        message.save()
    return message


def message_deliver(message_id) -> str:
    """Hands a "sending" message to the gateway and settles it. Safe to run again for the same
    message: the gateway hands it over at most once.

    The case is checked again under its row lock just before the hand-over, and held until the
    hand-over is recorded: a case closed (or a client erased) after the message was claimed
    cancels it here (unless the gateway already has it: then it went, and is settled as sent),
    and a closure that comes during the hand-over waits for it, so a message either went before
    the case closed or does not go at all."""
    case_id = OutboundMessage.objects.values_list("case_id", flat=True).get(pk=message_id)
    with transaction.atomic(durable=True):
        reason = _why_not_now(case_id, lock=True)
        message = OutboundMessage.objects.select_related("case", "contact_method").get(
            pk=message_id
        )
        if message.status != MessageStatus.SENDING:
            return message.status
        handed_over = GatewayDelivery.objects.filter(message_id=message.pk).exists()
        if reason is not None and not handed_over:
            return _cancel_unsent(message.pk, reason, MessageStatus.SENDING)
        try:
            gateway().deliver(message)
            failure = None
        except DeliveryFailed as error:
            failure = str(error)
    if failure is not None:
        return _settle_failed(message, failure)
    with transaction.atomic(durable=True):
        locked = OutboundMessage.objects.select_for_update(no_key=True).get(pk=message.pk)
        if locked.status == MessageStatus.SENDING:
            locked.status = MessageStatus.SENT
            locked.sent_at = timezone.now()
            locked.save(update_fields=["status", "sent_at"])
            _log_contact(locked, ContactOutcome.MESSAGE_LEFT)
        return locked.status


def _settle_failed(message: OutboundMessage, reason: str) -> str:
    """The route refused it: the message fails and the route is marked failing through the
    contact log, which feeds the contact-method rules and the escalation scan."""
    with transaction.atomic(durable=True):
        locked = OutboundMessage.objects.select_for_update(no_key=True).get(pk=message.pk)
        if locked.status != MessageStatus.SENDING:
            return locked.status
        locked.status = MessageStatus.FAILED
        locked.failure_reason = reason[:200]
        locked.save(update_fields=["status", "failure_reason"])
        _log_contact(locked, FAILURE_OUTCOME[locked.channel])
    return MessageStatus.FAILED


def _log_contact(message: OutboundMessage, outcome: str) -> None:
    contact_log(
        case=message.case,
        recorded_by=message.created_by,
        occurred_at=timezone.now(),
        channel=LOG_CHANNEL[message.channel],
        direction=ContactDirection.OUTBOUND,
        outcome=outcome,
        contact_method=message.contact_method,
        note=None,
    )


def recover_stuck(now: datetime | None = None) -> dict[str, int]:
    """Messages left in "sending" by a worker that died: one the gateway accepted is marked sent;
    one it never saw goes back to "planned" and will be sent once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS)
    outcome = {"sent": 0, "replanned": 0}
    stuck = OutboundMessage.objects.filter(
        status=MessageStatus.SENDING, sending_started_at__lt=cutoff
    )
    for message_id in stuck.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            message = (
                OutboundMessage.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(pk=message_id, status=MessageStatus.SENDING)
                .first()
            )
            if message is None:
                continue
            if GatewayDelivery.objects.filter(message=message).exists():
                message.status, message.sent_at = MessageStatus.SENT, now
                message.save(update_fields=["status", "sent_at"])
                _log_contact(message, ContactOutcome.MESSAGE_LEFT)
                outcome["sent"] += 1
            else:
                message.status, message.sending_started_at = MessageStatus.PLANNED, None
                message.save(update_fields=["status", "sending_started_at"])
                outcome["replanned"] += 1
    return outcome
