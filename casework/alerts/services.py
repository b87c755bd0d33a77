"""Drafting, reviewing, publishing, retracting and expiring alerts. Every change is checked
against the records now, done in one transaction and audited.

An alert is drafted only from a case whose client's ``warn_others`` consent is in force; it is
checked against the client's own details whenever its text changes and again when it is
published (the client's details may have changed in between). Publication waits for a second
person through the approvals mechanism: the kind ``alert_publication`` is enacted here, and
never by the alert's author. Withdrawing ``warn_others`` retracts the case's alerts in the
withdrawal's own transaction (``retract_for_withdrawn_consent``)."""

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.principals import Actor, is_charity_staff
from casework.approvals.choices import ApprovalKind
from casework.approvals.models import Approval
from casework.approvals.registry import register
from casework.approvals.services import approval_propose
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.errors import Conflict, NotAllowed
from casework.sharing.choices import ConsentScope
from casework.sharing.ledger import current_consent
from casework.sharing.models import ConsentDecision

from .choices import EDITABLE, LIVE, AlertStatus, RetractionReason
from .identifiers import checker_keys, identifier_hash
from .models import Alert, AlertIdentifier
from .reporter import check_not_the_reporter, normalised_pairs

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEXT_FIELDS = ("what_happened", "offender_description")
SYSTEM = "alerts"


def _new_reference() -> str:
    while True:
        reference = "AL-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not Alert.objects.filter(reference=reference).exists():
            return reference


def _warn_others_grant(case: Case) -> ConsentDecision:
    entry = current_consent(case).get((ConsentScope.WARN_OTHERS, None))
    if entry is None or not entry.in_force:
        raise Conflict(
            "The client has not agreed to warn others (warn_others): no alert can be made from "
            "this case.",
            code="no_warn_others_consent",
        )
    return entry.decision


def week_of(day: date) -> date:
    """The Monday of the week ``day`` falls in: an alert says when to the week, never the day."""
    return day - timedelta(days=day.weekday())


def _check_fields(case: Case, *, area: str, happened_on: date | None) -> None:
    areas = list(case.organisation.areas or [])
    if area not in areas:
        message = (
            "Choose one of your organisation's areas."
            if areas
            else "Your organisation has no areas yet: a supervisor adds them first."
        )
        raise ValidationError({"area": [message]})
    if happened_on is not None and happened_on > timezone.localdate():
        raise ValidationError({"happened_on": ["This date is in the future."]})


def _audit(alert: Alert, actor: Actor, action: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=alert,
        organisation=alert.organisation,
        case_id=alert.case_id,
        detail={"reference": alert.reference, "status": alert.status, **detail},
    )


def _store_identifiers(alert: Alert, pairs: Sequence[tuple[str, str]]) -> None:
    alert.identifiers.all().delete()
    rows = []
    for kind, value in dict.fromkeys(pairs):  # the same identifier twice is kept once
        key_id, digest = identifier_hash(kind, value)
        rows.append(
            AlertIdentifier(
                alert=alert, kind=kind, value=value, value_hash=digest, hash_key_id=key_id
            )
        )
    AlertIdentifier.objects.bulk_create(rows)


def _check_author(case: Case, by: User) -> None:
    if not is_charity_staff(by) or by.organisation_id != case.organisation_id:
        raise ValidationError({"author": ["Only the charity's own staff draft alerts."]})


@transaction.atomic
def alert_draft(
    *,
    case: Case,
    by: User,
    what_happened: str,
    area: str,
    happened_on: date,
    offender_description: str = "",
    identifiers: Sequence[Mapping[str, str]] = (),
    show_identifiers: bool = False,
    revises: Alert | None = None,
) -> Alert:
    """A draft from a case whose client agreed to warn others; refused, with nothing kept, when
    it carries anything of the client. With ``revises`` (a published alert of the same case) it
    is a revision: approved, its content replaces that alert's."""
    locked = (
        Case.objects.select_for_update(no_key=True)
        .select_related("organisation", "client")
        .get(pk=case.pk)
    )
    _check_author(locked, by)
    grant = _warn_others_grant(locked)
    _check_fields(locked, area=area, happened_on=happened_on)
    pairs = normalised_pairs(identifiers)
    texts = {"what_happened": what_happened, "offender_description": offender_description}
    check_not_the_reporter(locked.client, texts=texts, identifiers=pairs)
    if revises is not None and (revises.case_id != locked.pk or revises.status not in LIVE):
        raise ValidationError({"revises": ["Only a published alert of this case can be revised."]})
    now = timezone.now()
    alert = Alert(
        revises=revises,
        reference=_new_reference(),
        organisation=locked.organisation,
        case=locked,
        consent_decision=grant,
        what_happened=what_happened.strip(),
        offender_description=offender_description.strip(),
        area=area,
        week_of=week_of(happened_on),
        show_identifiers=show_identifiers,
        author=by,
        created_at=now,
        updated_at=now,
    )
    alert.full_clean()
    alert.save()
    _store_identifiers(alert, pairs)
    revised = {"revises": revises.reference} if revises is not None else {}
    _audit(alert, by, "alert.draft", identifiers=len(pairs), **revised)
    return alert


def _lock(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update(no_key=True)
        .select_related("case__client", "organisation")
        .get(pk=alert.pk)
    )


def _description(alert: Alert) -> str:
    shown = "shown in the feed" if alert.show_identifiers else "for the checker only"
    count = alert.identifiers.count()
    if alert.revises is not None:
        return (
            f"Update published alert {alert.revises.reference} from case "
            f"{alert.case.reference} with revision {alert.reference}: in {alert.area}, week of "
            f"{alert.week_of.isoformat()}, with {count} identifier(s) {shown}. Read the "
            "revision in full on the case before approving."
        )
    return (
        f"Publish alert {alert.reference} from case {alert.case.reference} to the charity's "
        f"subscribers, in {alert.area}, week of {alert.week_of.isoformat()}, with {count} "
        f"identifier(s) {shown}. Read the alert in full on the case before approving."
    )


@transaction.atomic
def alert_submit(*, alert: Alert, by: User, reason: str) -> Approval:
    """Sends a draft for review: a second person (a supervisor who did not write it) approves
    the proposal, and only then is it published."""
    locked = _lock(alert)
    if locked.status != AlertStatus.DRAFT:
        raise Conflict(
            f"Only a draft can be sent for review: this alert is {locked.status}.",
            code="not_a_draft",
        )
    _warn_others_grant(locked.case)
    check_not_the_reporter(
        locked.case.client,
        texts={f: getattr(locked, f) for f in TEXT_FIELDS},
        identifiers=[(i.kind, i.value) for i in locked.identifiers.all()],
    )
    approval = approval_propose(
        kind=ApprovalKind.ALERT_PUBLICATION,
        organisation=locked.organisation,
        proposed_by=by,
        reason=reason,
        description=_description(locked),
        payload={"alert": str(locked.pk)},
        case=locked.case,
    )
    locked.status = AlertStatus.IN_REVIEW
    locked.approval = approval
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "approval", "updated_at"])
    _audit(locked, by, "alert.submit", approval=str(approval.pk))
    return approval


@transaction.atomic
def alert_return_to_draft(*, alert: Alert, by: User) -> Alert:
    """An alert whose review was rejected, withdrawn or expired goes back to being a draft."""
    locked = _lock(alert)
    approval = locked.approval
    if locked.status != AlertStatus.IN_REVIEW or (
        approval is not None
        and approval.status == "pending"
        and approval.expires_at > timezone.now()
    ):
        raise Conflict(
            "Only an alert whose review ended without approval goes back to draft.",
            code="still_in_review",
        )
    locked.status = AlertStatus.DRAFT
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    _audit(locked, by, "alert.return_to_draft")
    return locked


def lifetime() -> timedelta:
    return timedelta(days=settings.ALERT_LIFETIME_DAYS)


def enact_alert_publication(approval: Approval, by: User) -> dict[str, Any]:
    """The approved publication: refused if the approver wrote the alert, if the client no
    longer agrees, or if the alert now carries anything of the client."""
    alert = _lock(Alert(pk=approval.payload["alert"]))
    if alert.author_id == by.pk:
        raise NotAllowed(
            "You wrote this alert: a different person must review it.", code="own_draft"
        )
    if alert.status != AlertStatus.IN_REVIEW or alert.approval_id != approval.pk:
        raise Conflict(
            f"This alert is no longer waiting for this review: it is {alert.status}.",
            code="not_in_review",
        )
    _warn_others_grant(alert.case)
    check_not_the_reporter(
        alert.case.client,
        texts={f: getattr(alert, f) for f in TEXT_FIELDS},
        identifiers=[(i.kind, i.value) for i in alert.identifiers.all()],
    )
    now = timezone.now()
    if alert.revises_id is not None:
        return _apply_revision(alert, approval=approval, by=by, now=now)
    alert.status = AlertStatus.PUBLISHED
    alert.published_at = now
    alert.reviewed_by = by
    alert.expires_at = now + lifetime()
    alert.updated_at = now
    alert.save(update_fields=["status", "published_at", "reviewed_by", "expires_at", "updated_at"])
    _audit(alert, by, "alert.publish", approval=str(approval.pk))
    return {"alert": str(alert.pk)}


def _apply_revision(
    revision: Alert, *, approval: Approval, by: User, now: datetime
) -> dict[str, Any]:
    """The approved revision's content replaces the published alert's, which keeps its
    reference and becomes updated; the revision is marked applied."""
    original = _lock(Alert(pk=revision.revises_id))
    if original.status not in LIVE:
        raise Conflict(
            f"The alert this revises is no longer published: it is {original.status}.",
            code="not_published",
        )
    if original.author_id == by.pk:
        raise NotAllowed(
            "You wrote the alert this revises: a different person must review it.",
            code="own_draft",
        )
    for name in (*TEXT_FIELDS, "area", "week_of", "show_identifiers"):
        setattr(original, name, getattr(revision, name))
    original.status = AlertStatus.UPDATED
    original.reviewed_by = by
    original.expires_at = now + lifetime()
    original.updated_at = now
    original.save()
    _store_identifiers(original, [(i.kind, i.value) for i in revision.identifiers.all()])
    revision.status = AlertStatus.APPLIED
    revision.reviewed_by = by
    revision.closed_at = revision.updated_at = now
    revision.save(update_fields=["status", "reviewed_by", "closed_at", "updated_at"])
    _audit(original, by, "alert.update", approval=str(approval.pk), revision=revision.reference)
    return {"alert": str(original.pk), "revision": str(revision.pk)}


register(ApprovalKind.ALERT_PUBLICATION, enact_alert_publication)


def _retract(alert: Alert, *, actor: Actor, reason: str, now: datetime) -> None:
    alert.status = AlertStatus.RETRACTED
    alert.retracted_at = alert.closed_at = now
    alert.retraction_reason = reason
    alert.updated_at = now
    alert.save(
        update_fields=["status", "retracted_at", "closed_at", "retraction_reason", "updated_at"]
    )
    _audit(alert, actor, "alert.retract", because=reason)


@transaction.atomic
def alert_retract(*, alert: Alert, by: User) -> Alert:
    """The charity takes an alert back: subscribers see that it was retracted, and no more."""
    locked = _lock(alert)
    if locked.status in (AlertStatus.RETRACTED, AlertStatus.EXPIRED):
        raise Conflict(f"This alert is already {locked.status}.", code="already_closed")
    _retract(locked, actor=by, reason=RetractionReason.BY_STAFF, now=timezone.now())
    return locked


def retract_for_withdrawn_consent(
    *, case: Case, actor: Actor, reason: str = RetractionReason.CONSENT_WITHDRAWN
) -> int:
    """Called inside the transaction that records a refusal of ``warn_others`` (directly, or
    with ``store_records``), or that anonymises the case: every alert of the case that is not
    already closed is retracted, drafts and those in review included, so none can be published
    afterwards."""
    now = timezone.now()
    open_alerts = Alert.objects.select_for_update(no_key=True).filter(
        case_id=case.pk,
        status__in=[*EDITABLE, AlertStatus.IN_REVIEW, *LIVE],
    )
    retracted = 0
    for alert in open_alerts.select_related("organisation"):
        _retract(alert, actor=actor, reason=reason, now=now)
        retracted += 1
    return retracted


def expire_alerts(*, now: datetime | None = None) -> int:
    """Published alerts past their lifetime expire: they leave the feed and the checker. Each in
    its own transaction; a row someone holds is left for the next run."""
    now = now or timezone.now()
    expired = 0
    due = Alert.objects.filter(status__in=LIVE, expires_at__lte=now)
    for pk in due.order_by("expires_at").values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            alert = (
                Alert.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(pk=pk, status__in=LIVE, expires_at__lte=now)
                .select_related("organisation")
                .first()
            )
            if alert is None:
                continue
            alert.status = AlertStatus.EXPIRED
            alert.closed_at = alert.updated_at = now
            alert.save(update_fields=["status", "closed_at", "updated_at"])
            _audit(alert, SYSTEM, "alert.expire")
            expired += 1
    return expired


def rehash_identifiers(*, batch_size: int = 500) -> int:
    """Re-hashes, under the primary checker key, every identifier hashed under another one, a
    batch at a time (rows someone holds are left for the next pass). Resumable: what remains is
    read from the rows. Queries match under every listed key meanwhile."""
    primary = checker_keys().primary_id
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                AlertIdentifier.objects.select_for_update(no_key=True, skip_locked=True)
                .exclude(hash_key_id=primary)
                .order_by("pk")[:batch_size]
            )
            for identifier in batch:
                identifier.hash_key_id, identifier.value_hash = identifier_hash(
                    identifier.kind, identifier.value
                )
            AlertIdentifier.objects.bulk_update(batch, ["hash_key_id", "value_hash"])
        done += len(batch)
        if len(batch) < batch_size:
            return done


def hash_key_usage() -> dict[str, int]:
    """How many identifiers each checker key hashed, for knowing when an old key can go."""
    rows = AlertIdentifier.objects.values_list("hash_key_id").annotate(n=Count("pk"))
    return dict(rows.order_by())
