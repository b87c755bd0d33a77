"""Recording consent decisions, and what flows across a share."""

from collections.abc import Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import is_charity_staff
from casework.audit.services import audit_record
from casework.cases import lifecycles
from casework.cases.lifecycles import JusticeStage
from casework.cases.models import Case, CaseTransition, Note
from casework.core.errors import Conflict, PreconditionFailed
from casework.core.unset import UNSET, Unset, given
from casework.court.models import CourtEvent
from casework.court.services import court_event_add
from casework.webhooks import outbox

from .choices import (
    POLICE_SCOPES,
    ConsentScope,
    DecisionKind,
    ShareStatus,
    SharingLevel,
    UpdateKind,
)
from .derivation import sync_sharing
from .ledger import (
    CurrentConsent,
    Key,
    current_consent,
    current_overrides,
    in_force,
    shares_in_force,
)
from .models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate

PROSECUTION_WITHDRAWN_MESSAGE = "The victim has withdrawn their support for a prosecution."

# A grant of the key needs a grant of each value in force first (per force for police scopes).
DEPENDS_ON: dict[str, list[str]] = {
    ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE: [ConsentScope.STORE_RECORDS],
    ConsentScope.SHARE_WITH_POLICE: [ConsentScope.STORE_RECORDS],
    ConsentScope.POLICE_MAY_CONTACT_DIRECTLY: [ConsentScope.STORE_RECORDS],
    ConsentScope.SUPPORT_PROSECUTION: [ConsentScope.STORE_RECORDS],
    ConsentScope.WARN_OTHERS: [ConsentScope.STORE_RECORDS],
}
# A grant of the key needs at least one of the values in force first, for the same force: police
# may be allowed to contact a client whose case they hold identified or as anonymous
# intelligence (a contact request's answer). A refusal of any one of them still refuses the key,
# so a later re-grant never silently revives direct contact.
NEEDS_ONE_OF: dict[str, list[str]] = {
    ConsentScope.POLICE_MAY_CONTACT_DIRECTLY: [
        ConsentScope.SHARE_WITH_POLICE,
        ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE,
    ],
}


def _needs(scope: str) -> list[str]:
    return [*DEPENDS_ON.get(scope, []), *NEEDS_ONE_OF.get(scope, [])]


def _check_decision(
    case: Case,
    recorded_by: User,
    scope: str,
    granted: bool,
    police_force: Organisation | None,
    review_date: date | None,
    current: dict[Key, CurrentConsent],
) -> None:
    if not is_charity_staff(recorded_by) or recorded_by.organisation_id != case.organisation_id:
        raise ValidationError(
            {"recorded_by": ["Only the charity's own staff record a client's consent."]}
        )
    if scope in POLICE_SCOPES:
        if police_force is None:
            raise ValidationError({"police_force": ["Say which police force this is about."]})
        if not police_force.is_police:
            raise ValidationError({"police_force": ["This organisation is not a police force."]})
    elif police_force is not None:
        raise ValidationError({"police_force": ["Only police sharing scopes name a force."]})
    if review_date is not None:
        if not granted:
            raise ValidationError({"review_date": ["Only a grant has a review date."]})
        if review_date <= timezone.localdate():
            raise ValidationError({"review_date": ["The review date must be in the future."]})
    if granted:
        for needed in DEPENDS_ON.get(scope, []):
            force = police_force.pk if needed in POLICE_SCOPES and police_force else None
            if not in_force(current, needed, force):
                raise ValidationError({"scope": [f"{scope} needs {needed} to be granted first."]})
        alternatives = NEEDS_ONE_OF.get(scope, [])
        force = police_force.pk if police_force else None
        if alternatives and not any(in_force(current, other, force) for other in alternatives):
            wanted = " or ".join(alternatives)
            raise ValidationError({"scope": [f"{scope} needs {wanted} to be granted first."]})


def _dependents_to_refuse(
    scope: str, police_force_id: object, current: dict[Key, CurrentConsent]
) -> list[CurrentConsent]:
    """Grants that lose their footing when ``scope`` is refused."""
    dependents = []
    for (other_scope, force), entry in current.items():
        if not entry.decision.granted:
            continue
        needs = _needs(other_scope)
        same_force = scope not in POLICE_SCOPES or force == police_force_id
        if scope in needs and same_force:
            dependents.append(entry)
    return dependents


@transaction.atomic
def consent_record(
    *,
    case: Case,
    recorded_by: User,
    scope: str,
    granted: bool,
    method: str,
    police_force: Organisation | None = None,
    review_date: date | None = None,
    note: str | None = None,
) -> ConsentDecision:
    """Appends a decision to the ledger and, in the same transaction, brings police access into
    line with it. A refusal also refuses whatever depended on the refused scope, so a later
    re-grant never silently revives, say, direct contact."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    current = current_consent(locked)
    _check_decision(locked, recorded_by, scope, granted, police_force, review_date, current)
    prosecution_supported = in_force(current, ConsentScope.SUPPORT_PROSECUTION)
    warning = current.get((ConsentScope.WARN_OTHERS, None))
    warned = warning is not None and warning.decision.granted
    decision = ConsentDecision(
        case=locked,
        scope=scope,
        granted=granted,
        police_force=police_force,
        method=method,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
        review_date=review_date,
        note=note or None,
    )
    decision.full_clean()
    decision.save()
    outbox.consent_recorded(decision)
    audit_record(
        actor=recorded_by,
        action="consent.record",
        target=decision,
        organisation=locked.organisation,
        case_id=locked.pk,
        detail={
            "scope": scope,
            "granted": granted,
            "police_force": str(police_force.pk) if police_force else None,
        },
    )
    if not granted:
        _refuse_dependents(decision, current)
    elif scope == ConsentScope.SHARE_WITH_POLICE and police_force is not None:
        _override_replaced_by_consent(decision)
    # Sharing first: a withdrawal must end access before anything else is told.
    sync_sharing(locked, actor=recorded_by)
    # Withdrawn directly, or because store_records was refused and took it with it.
    if prosecution_supported and not in_force(current, ConsentScope.SUPPORT_PROSECUTION):
        _prosecution_support_withdrawn(locked, recorded_by)
    # Withdrawn directly or with store_records: the case's alerts go in this same transaction.
    if not granted and warned and not in_force(current, ConsentScope.WARN_OTHERS):
        from casework.alerts.services import retract_for_withdrawn_consent

        retract_for_withdrawn_consent(case=locked, actor=recorded_by)
    return decision


def _override_replaced_by_consent(consent: ConsentDecision) -> None:
    """The client consents to the share an override made: the override ends, and the share
    carries on as an ordinary one under their consent."""
    force_id = consent.police_force_id
    override = current_overrides(consent.case).get(force_id) if force_id is not None else None
    if override is None:
        return
    ended = ConsentDecision.objects.create(
        case=consent.case,
        scope=ConsentScope.SHARE_WITH_POLICE,
        granted=False,
        police_force=consent.police_force,
        kind=DecisionKind.OVERRIDE_END,
        recorded_by=consent.recorded_by,
        recorded_at=consent.recorded_at,
        caused_by=consent,
    )
    audit_record(
        actor=consent.recorded_by,
        action="consent.override.end",
        target=ended,
        organisation=consent.case.organisation,
        case_id=consent.case_id,
        detail={
            "police_force": str(consent.police_force_id),
            "override": str(override.public_id),
            "because": "client_consented",
        },
    )


def _refuse_dependents(decision: ConsentDecision, current: dict[Key, CurrentConsent]) -> None:
    """Appends a refusal for every grant that rested on a refused scope, transitively
    (store_records → share_with_police → police_may_contact_directly)."""
    current[(decision.scope, decision.police_force_id)] = CurrentConsent(decision)
    queue = [decision]
    while queue:
        refused = queue.pop()
        for entry in _dependents_to_refuse(refused.scope, refused.police_force_id, current):
            dependent = entry.decision
            cascade = ConsentDecision.objects.create(
                case=decision.case,
                scope=dependent.scope,
                granted=False,
                police_force=dependent.police_force,
                method=decision.method,
                recorded_by=decision.recorded_by,
                recorded_at=decision.recorded_at,
                caused_by=decision,
            )
            outbox.consent_recorded(cascade)
            audit_record(
                actor=decision.recorded_by,
                action="consent.record",
                target=cascade,
                organisation=decision.case.organisation,
                case_id=decision.case_id,
                detail={
                    "scope": cascade.scope,
                    "granted": False,
                    "caused_by": str(decision.public_id),
                },
            )
            current[(cascade.scope, cascade.police_force_id)] = CurrentConsent(cascade)
            queue.append(cascade)


def _prosecution_support_withdrawn(case: Case, actor: User) -> None:
    """Moves the justice pathway to "support for prosecution withdrawn" where the table allows,
    and tells each force with an identified share, without any other detail."""
    target = JusticeStage.PROSECUTION_SUPPORT_WITHDRAWN
    if lifecycles.is_allowed("justice", case.justice_stage, target):
        CaseTransition.objects.create(
            case=case,
            lifecycle="justice",
            from_state=case.justice_stage,
            to_state=target,
            reason="The client withdrew consent to support a prosecution.",
            occurred_at=timezone.now(),
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="case.transition",
            target=case,
            case_id=case.pk,
            changed_fields=["justice_stage"],
            detail={"lifecycle": "justice", "from": case.justice_stage, "to": target},
        )
        case.justice_stage = target
        case.version += 1
        case.save(update_fields=["justice_stage", "version", "updated_at"])
    for share in shares_in_force(
        SharedCase.objects.filter(case=case, level=SharingLevel.IDENTIFIED)
    ):
        update = SharedUpdate.objects.create(
            shared_case=share,
            kind=UpdateKind.PROSECUTION_SUPPORT_WITHDRAWN,
            body=PROSECUTION_WITHDRAWN_MESSAGE,
            from_police=False,
            author=actor,
            created_at=timezone.now(),
        )
        outbox.shared_update_posted(update, charity_id=case.organisation_id, case_id=case.pk)


def _lock_active_share(shared_case: SharedCase) -> SharedCase:
    """Locks the case first (as consent decisions do), so an update and a withdrawal cannot
    interleave: whichever commits second sees the other."""
    Case.objects.select_for_update(no_key=True).get(pk=shared_case.case_id)
    share = SharedCase.objects.select_for_update(no_key=True).get(pk=shared_case.pk)
    if not share.is_active:
        raise Conflict("This share has ended.", code="share_ended")
    return share


@transaction.atomic
def police_update_post(
    *, shared_case: SharedCase, author: User, kind: str, body: str
) -> SharedUpdate:
    share = _lock_active_share(shared_case)
    if author.organisation_id != share.police_force_id:
        raise ValidationError({"author": ["Only the sharing force posts on this share."]})
    if kind not in (UpdateKind.INVESTIGATION, UpdateKind.COURT):
        raise ValidationError({"kind": ["Police post investigation or court updates."]})
    update = SharedUpdate(
        shared_case=share,
        kind=kind,
        body=body,
        from_police=True,
        author=author,
        created_at=timezone.now(),
    )
    update.full_clean()
    update.save()
    outbox.shared_update_posted(
        update, charity_id=share.case.organisation_id, case_id=share.case_id
    )
    audit_record(
        actor=author,
        action="shared_update.create",
        target=update,
        organisation=share.case.organisation,
        case_id=share.case_id,
        detail={"share": share.share_reference, "from_police": True},
    )
    return update


@transaction.atomic
def shared_note_add(*, case: Case, author: User, body: str) -> Note:
    """A charity note shared with every force that has an identified share under consent in
    force today. A share whose consent lapsed (not yet ended by the nightly sweep) gets nothing:
    a renewal must not bring back what was written while the client had not agreed."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    shares = list(
        shares_in_force(SharedCase.objects.filter(case=locked, level=SharingLevel.IDENTIFIED))
    )
    if not shares:
        raise ValidationError(
            {
                "visibility": [
                    "This case is not shared with police under the client's current consent."
                ]
            }
        )
    now = timezone.now()
    note = Note(case=locked, body=body, visibility="shared", created_at=now, author=author)
    note.full_clean()
    note.save()
    for share in shares:
        update = SharedUpdate.objects.create(
            shared_case=share,
            kind=UpdateKind.SUPPORT,
            body=body,
            from_police=False,
            author=author,
            note=note,
            created_at=now,
        )
        outbox.shared_update_posted(update, charity_id=locked.organisation_id, case_id=locked.pk)
    audit_record(
        actor=author,
        action="note.create",
        target=note,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["body", "visibility"],
        detail={"shared_with": [s.share_reference for s in shares]},
    )
    return note


POLICE_INVOLVEMENT_FIELDS = (
    "police_force",
    "crime_reference",
    "officer_name",
    "officer_contact",
    "investigation_status",
    "charging_decision",
    "charging_decision_date",
)


@transaction.atomic
def police_involvement_update(
    *,
    case: Case,
    actor: User,
    expected_version: int | None = None,
    via_share: SharedCase | None = None,
    police_force: Organisation | Unset | None = UNSET,
    crime_reference: str | Unset = UNSET,
    officer_name: str | Unset = UNSET,
    officer_contact: str | Unset = UNSET,
    investigation_status: str | Unset = UNSET,
    charging_decision: str | Unset = UNSET,
    charging_decision_date: date | Unset | None = UNSET,
) -> PoliceInvolvement:
    """Charity staff keep it on their case; a police liaison keeps it through an active share of
    their own force, and then cannot point it at another force. Changes the fields given."""
    changes = given(
        police_force=police_force,
        crime_reference=crime_reference,
        officer_name=officer_name,
        officer_contact=officer_contact,
        investigation_status=investigation_status,
        charging_decision=charging_decision,
        charging_decision_date=charging_decision_date,
    )
    Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if via_share is not None:
        _lock_active_share(via_share)
    elif not is_charity_staff(actor):
        raise ValidationError({"actor": ["Police update the involvement through a share."]})
    # A case with no involvement yet reads as version 0 (its ETag says so).
    involvement, _ = PoliceInvolvement.objects.select_for_update(no_key=True).get_or_create(
        case=case, defaults={"version": 0}
    )
    if expected_version is not None and involvement.version != expected_version:
        raise PreconditionFailed(
            "The police involvement changed since you read it.", code="stale_version"
        )
    force = police_force if isinstance(police_force, Organisation) else None
    if force is not None and not force.is_police:
        raise ValidationError({"police_force": ["This organisation is not a police force."]})
    if not is_charity_staff(actor):
        own_force = actor.organisation_id
        if "police_force" in changes and (force is None or force.pk != own_force):
            raise ValidationError({"police_force": ["You can only record your own force."]})
        if involvement.police_force_id not in (None, own_force):
            raise Conflict("Another force holds this investigation.", code="other_force")
        changes["police_force"] = actor.organisation
    if isinstance(charging_decision_date, date) and charging_decision_date > timezone.localdate():
        raise ValidationError({"charging_decision_date": ["This date cannot be in the future."]})
    changed = [f for f, v in changes.items() if getattr(involvement, f) != v]
    for field, value in changes.items():
        setattr(involvement, field, value)
    if changed:
        involvement.version += 1
        involvement.updated_by = actor
        involvement.full_clean()
        involvement.save()
        audit_record(
            actor=actor,
            action="police_involvement.update",
            target=involvement,
            organisation=case.organisation,
            case_id=case.pk,
            changed_fields=changed,
        )
    return involvement


@transaction.atomic(durable=True)
def expire_lapsed_consents(*, today: date | None = None) -> int:
    """Ends the shares whose consent's review date has passed without renewal, and those whose
    override has run out. Set-based: only cases with such an active share are looked at. The
    job's own transaction (``durable``): what it ends is ended when it returns."""
    today = today or timezone.localdate()
    due = (
        SharedCase.objects.filter(status=ShareStatus.ACTIVE)
        .filter(Q(review_date__lt=today) | Q(override_until__lte=timezone.now()))
        .values_list("case_id", flat=True)
        .distinct()
    )
    ended = 0
    for case in Case.objects.filter(pk__in=list(due)).select_for_update(no_key=True).order_by("pk"):
        ended += len(
            [c for c in sync_sharing(case, actor="consent-review") if c.startswith("ended")]
        )
    return ended


@transaction.atomic
def police_court_event_add(
    *,
    shared_case: SharedCase,
    author: User,
    hearing_type: str,
    court: str,
    starts_at: datetime,
    special_measures_requested: Sequence[str] = (),
    special_measures_granted: Sequence[str] = (),
) -> CourtEvent:
    """A hearing the sharing force tells the charity about."""
    share = _lock_active_share(shared_case)
    if author.organisation_id != share.police_force_id:
        raise ValidationError({"author": ["Only the sharing force adds hearings on this share."]})
    return court_event_add(
        case=share.case,
        actor=author,
        shared_case=share,
        hearing_type=hearing_type,
        court=court,
        starts_at=starts_at,
        special_measures_requested=special_measures_requested,
        special_measures_granted=special_measures_granted,
    )
