"""Changes to a support plan. Nothing is overwritten: each change adds a row."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.unset import UNSET, Unset, given

from .choices import NeedStatus, SafetyItemStatus
from .models import NeedRecord, RiskAssessment, SafetyPlanItem, SafetyPlanRevision


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(no_key=True).get(pk=case.pk)


@transaction.atomic
def need_record(
    *, case: Case, actor: User, need: str, status: str, agency: str = "", note: str | None = None
) -> NeedRecord:
    locked = _lock(case)
    if status == NeedStatus.REFERRED and not agency:
        raise ValidationError({"agency": ["Say which agency the client was referred to."]})
    record = NeedRecord(
        case=locked,
        need=need,
        status=status,
        agency=agency,
        note=note or None,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="support_plan.need",
        target=record,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["need", "status", "agency", "note"],
    )
    return record


def _check_review(review_on: date | None) -> None:
    if review_on is not None and review_on < timezone.localdate():
        raise ValidationError({"review_on": ["A review date cannot be in the past."]})


@transaction.atomic
def safety_item_add(
    *, case: Case, actor: User, description: str, review_on: date | None = None
) -> SafetyPlanRevision:
    locked = _lock(case)
    _check_review(review_on)
    now = timezone.now()
    item = SafetyPlanItem.objects.create(case=locked, created_at=now)
    revision = SafetyPlanRevision(
        item=item, description=description, review_on=review_on, recorded_at=now, recorded_by=actor
    )
    revision.full_clean()
    revision.save()
    # The item's content lives in its revisions; its own row carries the version the API's
    # ETag names, so a new revision moves it on.
    SafetyPlanItem.objects.select_for_update(no_key=True).get(pk=item.pk).save(
        update_fields=["version"]
    )
    audit_record(
        actor=actor,
        action="support_plan.safety_item",
        target=item,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["description", "review_on"],
    )
    return revision


@transaction.atomic
def safety_item_revise(
    *,
    item: SafetyPlanItem,
    actor: User,
    description: str | Unset = UNSET,
    review_on: date | Unset | None = UNSET,
    status: str | Unset = UNSET,
) -> SafetyPlanRevision:
    """A new revision of the item: what is given changes, the rest carries over."""
    changes = given(description=description, review_on=review_on, status=status)
    locked_case = _lock(item.case)
    latest = item.revisions.order_by("-id").first()
    if latest is None or latest.status == SafetyItemStatus.REMOVED:
        raise ValidationError({"status": ["This item was removed from the plan."]})
    new_status = latest.status if isinstance(status, Unset) else status
    new_review_on = latest.review_on if isinstance(review_on, Unset) else review_on
    if not isinstance(review_on, Unset) and new_status == SafetyItemStatus.ACTIVE:
        _check_review(review_on)
    revision = SafetyPlanRevision(
        item=item,
        description=latest.description if isinstance(description, Unset) else description,
        review_on=new_review_on,
        status=new_status,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
    revision.full_clean()
    revision.save()
    # The item's content lives in its revisions; its own row carries the version the API's
    # ETag names, so a new revision moves it on.
    SafetyPlanItem.objects.select_for_update(no_key=True).get(pk=item.pk).save(
        update_fields=["version"]
    )
    audit_record(
        actor=actor,
        action="support_plan.safety_item",
        target=item,
        organisation=locked_case.organisation,
        case_id=locked_case.pk,
        changed_fields=changes,
    )
    return revision


@transaction.atomic
def risk_assess(
    *, case: Case, actor: User, assessed_on: date, level: str, notes: str | None = None
) -> RiskAssessment:
    """Records an assessment; the newest assessment sets the case's risk level."""
    locked = _lock(case)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": ["An assessment cannot be dated in the future."]})
    assessment = RiskAssessment(
        case=locked,
        assessed_on=assessed_on,
        level=level,
        assessor=actor,
        notes=notes or None,
        recorded_at=timezone.now(),
    )
    assessment.full_clean()
    assessment.save()
    newest = locked.risk_assessments.order_by("-assessed_on", "-recorded_at").first()
    if newest is not None and newest.pk == assessment.pk and locked.risk_level != level:
        locked.risk_level = level
        locked.version += 1
        locked.save(update_fields=["risk_level", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="support_plan.risk_assessment",
        target=assessment,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["assessed_on", "level", "notes"],
    )
    return assessment
