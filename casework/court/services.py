"""Hearings, justice decisions and the entitlements they create."""

import hashlib
import secrets
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.selectors import PersonRef, members_named
from casework.audit.services import audit_record
from casework.cases.lifecycles import JusticeStage
from casework.cases.models import Case, CaseTransition
from casework.core.errors import Conflict, PreconditionFailed
from casework.core.unset import UNSET, Unset, given
from casework.webhooks import outbox

from . import rights
from .choices import EntitlementStatus, HearingStatus, HearingType, RightProvider, VictimRight
from .models import CalendarFeed, CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision
from .victims_code import enhanced_rights, working_days_allowed
from .working_days import add_working_days

if TYPE_CHECKING:
    from casework.sharing.models import SharedCase

AFTER_VERDICT = {JusticeStage.VERDICT, JusticeStage.SENTENCED, JusticeStage.APPEAL}
EDITABLE_EVENT_FIELDS = (
    "hearing_type",
    "court",
    "starts_at",
    "status",
    "outcome",
    "special_measures_requested",
    "special_measures_granted",
    "pre_trial_visit_done",
)


def _check_event(case: Case, event: CourtEvent) -> None:
    if event.status == HearingStatus.LISTED and event.starts_at < timezone.now():
        raise ValidationError({"starts_at": ["A hearing in the past cannot still be listed."]})
    granted = set(event.special_measures_granted)
    if not granted <= set(event.special_measures_requested):
        extra = ", ".join(sorted(granted - set(event.special_measures_requested)))
        raise ValidationError(
            {"special_measures_granted": [f"Granted but never asked for: {extra}."]}
        )
    if event.hearing_type == HearingType.SENTENCING and case.justice_stage not in AFTER_VERDICT:
        trial_before = (
            case.court_events.filter(hearing_type=HearingType.TRIAL, starts_at__lt=event.starts_at)
            .exclude(pk=event.pk)
            .exclude(status=HearingStatus.VACATED)
        )
        if not trial_before.exists():
            raise ValidationError(
                {"hearing_type": ["A sentencing hearing needs a verdict, or a trial before it."]}
            )


def _attendees(case: Case, attendees: Collection[PersonRef]) -> list[User]:
    """The people named, each checked to be of the case's charity: only its own staff attend for
    it. An id of nobody, or of someone elsewhere, gets the same answer."""
    people = members_named(case.organisation_id, attendees)
    if people is None:
        raise ValidationError({"attendees": ["Only your organisation's staff can attend."]})
    return people


@transaction.atomic
def court_event_add(
    *,
    case: Case,
    actor: User,
    hearing_type: str,
    court: str,
    starts_at: datetime,
    status: str = HearingStatus.LISTED,
    outcome: str = "",
    special_measures_requested: Sequence[str] = (),
    special_measures_granted: Sequence[str] = (),
    pre_trial_visit_done: bool = False,
    attendees: Collection[PersonRef] = (),
    shared_case: "SharedCase | None" = None,
) -> CourtEvent:
    """A hearing on the case. One a force adds through ``shared_case`` belongs to that share."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    people = _attendees(locked, attendees)
    event = CourtEvent(
        case=locked,
        created_by=actor,
        added_by_police=shared_case is not None,
        shared_case=shared_case,
        hearing_type=hearing_type,
        court=court,
        starts_at=starts_at,
        status=status,
        outcome=outcome,
        special_measures_requested=list(special_measures_requested),
        special_measures_granted=list(special_measures_granted),
        pre_trial_visit_done=pre_trial_visit_done,
    )
    event.special_measures_requested = sorted(set(event.special_measures_requested))
    event.special_measures_granted = sorted(set(event.special_measures_granted))
    _check_event(locked, event)
    event.full_clean()
    event.save()
    event.attendees.set(people)
    if event.hearing_type == HearingType.TRIAL:
        open_entitlement(
            case=locked,
            right=VictimRight.TRIAL_INFORMATION,
            triggered_on=timezone.localdate(),
            court_event=event,
        )
    audit_record(
        actor=actor,
        action="court_event.create",
        target=event,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["hearing_type", "court", "starts_at"],
    )
    outbox.court_event_changed(event)
    return event


@transaction.atomic
def court_event_update(
    *,
    event: CourtEvent,
    actor: User,
    date_change_reason: str = "",
    attendees: Collection[PersonRef] | None = None,
    expected_version: int | None = None,
    hearing_type: str | Unset = UNSET,
    court: str | Unset = UNSET,
    starts_at: datetime | Unset = UNSET,
    status: str | Unset = UNSET,
    outcome: str | Unset = UNSET,
    special_measures_requested: Sequence[str] | Unset = UNSET,
    special_measures_granted: Sequence[str] | Unset = UNSET,
    pre_trial_visit_done: bool | Unset = UNSET,
) -> CourtEvent:
    """Changes the fields given; a new date keeps the old one on record."""
    changes = given(
        hearing_type=hearing_type,
        court=court,
        starts_at=starts_at,
        status=status,
        outcome=outcome,
        special_measures_requested=special_measures_requested,
        special_measures_granted=special_measures_granted,
        pre_trial_visit_done=pre_trial_visit_done,
    )
    locked = (
        CourtEvent.objects.select_for_update(no_key=True).select_related("case").get(pk=event.pk)
    )
    if expected_version is not None and expected_version != locked.version:
        raise PreconditionFailed("The hearing changed since you read it.", code="stale_version")
    people = _attendees(locked.case, attendees) if attendees is not None else None
    previous = locked.starts_at
    for field, value in changes.items():
        if field.startswith("special_") and isinstance(value, Sequence):
            value = sorted(set(value))
        setattr(locked, field, value)
    _check_event(locked.case, locked)
    locked.full_clean()
    locked.version += 1
    locked.save()
    if people is not None:
        locked.attendees.set(people)
    if locked.starts_at != previous:
        CourtEventDateChange.objects.create(
            event=locked,
            previous_starts_at=previous,
            new_starts_at=locked.starts_at,
            reason=date_change_reason,
            changed_at=timezone.now(),
            changed_by=actor,
        )
    audit_record(
        actor=actor,
        action="court_event.update",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=[*changes, *(["attendees"] if attendees is not None else [])],
    )
    outbox.court_event_changed(locked)
    return locked


def record_decision(
    *,
    case: Case,
    transition: CaseTransition | None,
    kind: str,
    decided_on: date,
    client_told_on: date | None,
    actor: User,
) -> JusticeDecision:
    """Records a decision and opens its "tell the client within N working days" entitlement
    (inside the caller's transaction)."""
    today = timezone.localdate()
    if decided_on > today:
        raise ValidationError({"decided_on": ["A decision cannot be dated in the future."]})
    if client_told_on is not None and not decided_on <= client_told_on <= today:
        raise ValidationError(
            {
                "client_told_on": [
                    "The client is told on or after the decision, and not later than today."
                ]
            }
        )
    decision = JusticeDecision.objects.create(
        case=case,
        transition=transition,
        kind=kind,
        decided_on=decided_on,
        client_told_on=client_told_on,
        told_by=actor if client_told_on else None,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
    enhanced = enhanced_rights(case)
    days = working_days_allowed(enhanced)
    Entitlement.objects.create(
        case=case,
        decision=decision,
        right=VictimRight.TOLD_OF_DECISION,
        provider=RightProvider.POLICE,
        triggered_on=decided_on,
        working_days=days,
        enhanced=enhanced,
        due_on=add_working_days(decided_on, days),
        status=EntitlementStatus.MET if client_told_on else EntitlementStatus.OPEN,
        met_on=client_told_on,
    )
    return decision


@transaction.atomic
def decision_record(
    *,
    case: Case,
    actor: User,
    kind: str,
    decided_on: date,
    client_told_on: date | None = None,
) -> JusticeDecision:
    """A decision recorded on its own (an arrest, a release, a first hearing), not with a justice
    transition: the case is locked, the decision and its entitlement written, and the audit event
    with them, or nothing is."""
    locked = (
        Case.objects.select_for_update(no_key=True).select_related("organisation").get(pk=case.pk)
    )
    decision = record_decision(
        case=locked,
        transition=None,
        kind=kind,
        decided_on=decided_on,
        client_told_on=client_told_on,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="justice_decision.record",
        target=decision,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["kind", "decided_on", "client_told_on"],
        detail={"kind": kind},
    )
    return decision


@transaction.atomic
def decision_client_told(
    *, decision: JusticeDecision, told_on: date, actor: User
) -> JusticeDecision:
    locked = JusticeDecision.objects.select_for_update(no_key=True).get(pk=decision.pk)
    if locked.client_told_on is not None:
        raise Conflict("The client was already recorded as told.", code="already_told")
    if not locked.decided_on <= told_on <= timezone.localdate():
        raise ValidationError(
            {"told_on": ["The client is told on or after the decision, and not later than today."]}
        )
    locked.client_told_on = told_on
    locked.told_by = actor
    locked.save()
    Entitlement.objects.filter(decision=locked).update(status=EntitlementStatus.MET, met_on=told_on)
    audit_record(
        actor=actor,
        action="decision.client_told",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=["client_told_on"],
    )
    return locked


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, user: User) -> tuple[CalendarFeed, str]:
    """A new secret link; any earlier one stops working."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=_hash(token))
    audit_record(actor=user, action="calendar_feed.issue", target=feed)
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(actor=user, action="calendar_feed.revoke", organisation=user.organisation)
    return revoked


def calendar_feed_owner(token: str) -> User | None:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    return feed.user


def open_entitlement(
    *,
    case: Case,
    right: str,
    triggered_on: date,
    court_event: CourtEvent | None = None,
    provider: str | None = None,
) -> Entitlement:
    """Opens what ``right`` owes the client from ``triggered_on``, due when the Code says
    (inside the caller's transaction, with the case locked). A right that arises once per case
    and is already open is left as it is: a case reported twice is owed one referral."""
    if right != VictimRight.COMPLAINT:
        existing = Entitlement.objects.filter(
            case=case, right=right, court_event=court_event
        ).first()
        if existing is not None and (court_event is not None or right in ONCE_PER_CASE):
            return existing
    enhanced = enhanced_rights(case)
    return Entitlement.objects.create(
        case=case,
        right=right,
        provider=provider or rights.PROVIDER[right],
        court_event=court_event,
        triggered_on=triggered_on,
        working_days=rights.period(right, enhanced=enhanced),
        enhanced=enhanced,
        due_on=rights.due_on(right, triggered_on, enhanced=enhanced),
    )


ONCE_PER_CASE = frozenset(
    {
        VictimRight.INFORMATION_ON_REPORTING,
        VictimRight.REFERRAL_TO_SUPPORT,
        VictimRight.PERSONAL_STATEMENT,
        VictimRight.VICTIM_CONTACT_SCHEME,
    }
)


def _check_day(field: str, day: date, *, not_before: date | None, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: ["This date cannot be in the future."]})
    if not_before is not None and day < not_before:
        raise ValidationError({field: [f"This cannot be before {what} ({not_before})."]})


@transaction.atomic
def right_record(
    *,
    case: Case,
    actor: User,
    right: str,
    triggered_on: date,
    provider: str | None = None,
) -> Entitlement:
    """Records a right the case's own events cannot show: a qualifying sentence opening the
    Victim Contact Scheme (Right 11), or a complaint made (Right 12, against ``provider``)."""
    locked = (
        Case.objects.select_for_update(no_key=True)
        .select_related("organisation", "client")
        .get(pk=case.pk)
    )
    if right not in rights.RECORDED_BY_HAND:
        raise ValidationError(
            {"right": ["This right is opened by the case's own events, not recorded by hand."]}
        )
    _check_day("triggered_on", triggered_on, not_before=None, what="")
    if right == VictimRight.COMPLAINT and not provider:
        raise ValidationError({"provider": ["Say which service the complaint is about."]})
    if right in ONCE_PER_CASE and Entitlement.objects.filter(case=locked, right=right).exists():
        raise Conflict("This right is already recorded on the case.", code="already_recorded")
    entitlement = open_entitlement(
        case=locked, right=right, triggered_on=triggered_on, provider=provider
    )
    audit_record(
        actor=actor,
        action="entitlement.record",
        target=entitlement,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["right", "triggered_on", "provider"],
        detail={"right": right},
    )
    return entitlement


def _lock_open(entitlement: Entitlement) -> Entitlement:
    locked = (
        Entitlement.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__organisation")
        .get(pk=entitlement.pk)
    )
    if locked.status != EntitlementStatus.OPEN:
        raise Conflict(f"This entitlement is already {locked.status}.", code="entitlement_closed")
    return locked


def _audit_entitlement(actor: User, locked: Entitlement, action: str, fields: list[str]) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=fields,
        detail={"right": locked.right},
    )


@transaction.atomic
def entitlement_met(*, entitlement: Entitlement, actor: User, met_on: date) -> Entitlement:
    """Records that the client got what the right owes (a complaint: its answer), on a day not
    before the right arose nor in the future. A decision's entitlement is met by telling the
    client of the decision instead."""
    locked = _lock_open(entitlement)
    if locked.right == VictimRight.TOLD_OF_DECISION:
        raise Conflict(
            "Record that the client was told of the decision instead.", code="use_client_told"
        )
    _check_day("met_on", met_on, not_before=locked.triggered_on, what="the day it arose")
    if locked.right == VictimRight.COMPLAINT and locked.acknowledged_on is not None:
        _check_day("met_on", met_on, not_before=locked.acknowledged_on, what="its acknowledgement")
    locked.status = EntitlementStatus.MET
    locked.met_on = met_on
    locked.save(update_fields=["status", "met_on"])
    _audit_entitlement(actor, locked, "entitlement.met", ["status", "met_on"])
    return locked


@transaction.atomic
def entitlement_not_applicable(
    *, entitlement: Entitlement, actor: User, reason: str
) -> Entitlement:
    """The right does not apply after all (the client declined, the sentence did not qualify)."""
    locked = _lock_open(entitlement)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why it does not apply."]})
    locked.status = EntitlementStatus.NOT_APPLICABLE
    locked.not_applicable_reason = reason.strip()
    locked.save(update_fields=["status", "not_applicable_reason"])
    _audit_entitlement(
        actor, locked, "entitlement.not_applicable", ["status", "not_applicable_reason"]
    )
    return locked


@transaction.atomic
def complaint_acknowledged(
    *, entitlement: Entitlement, actor: User, acknowledged_on: date
) -> Entitlement:
    """A complaint (Right 12) acknowledged by the service complained about."""
    locked = _lock_open(entitlement)
    if locked.right != VictimRight.COMPLAINT:
        raise Conflict("Only a complaint is acknowledged.", code="not_a_complaint")
    if locked.acknowledged_on is not None:
        raise Conflict("The complaint was already acknowledged.", code="already_acknowledged")
    _check_day(
        "acknowledged_on", acknowledged_on, not_before=locked.triggered_on, what="the complaint"
    )
    locked.acknowledged_on = acknowledged_on
    locked.save(update_fields=["acknowledged_on"])
    _audit_entitlement(actor, locked, "entitlement.acknowledged", ["acknowledged_on"])
    return locked
