"""``restrict``: the one call every API queryset goes through before anything else.

Each model registers how to narrow its rows for a caller. A model nobody registered raises, so a
new endpoint fails closed instead of serving every row.

``action`` is ``"view"`` (reading) or ``"change"`` (any write, a custom action included). Rows of
a case are checked against the case's ``view_case`` or ``change_case`` object permission
respectively; the audit trail has no rows anyone may change; an integration that may only read
shared cases changes none; staff records, API keys and reminders are changed by the same people
who see them. Any other action is a programming error and raises."""

import uuid
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from casework.accounts import principals
from casework.accounts.models import ApiKey, Organisation, User
from casework.accounts.principals import Caller
from casework.accounts.roles import liaison_group_name
from casework.alerts.choices import IN_FEED
from casework.alerts.models import Alert, AlertIdentifier
from casework.approvals.models import Approval
from casework.attachments.models import Attachment, AttachmentShare
from casework.audit.models import AuditEvent
from casework.cases.choices import ReferralStatus
from casework.cases.models import (
    Case,
    CaseAssignment,
    CaseTransition,
    ContactLogEntry,
    Note,
    Referral,
)
from casework.clients.models import Client, ContactMethod
from casework.contact_requests.models import ContactRequest
from casework.court.models import CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision
from casework.disclosures.models import Disclosure, RecordsRequest
from casework.reminders.models import GatewayDelivery, OutboundMessage, Reminder
from casework.sharing.choices import ShareStatus
from casework.sharing.ledger import shares_in_force
from casework.sharing.models import (
    ConsentDecision,
    PoliceInvolvement,
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedUpdate,
)
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanItem, SafetyPlanRevision
from casework.webhooks.models import WebhookDelivery, WebhookSubscription

from .objects import case_permission_filter, cases_visible_to, group_ids

QS: TypeAlias = "models.QuerySet[Any]"
Restrictor = Callable[[QS, Caller, str], QS]
M = TypeVar("M", bound=models.Model)
VIEW = "view"
CHANGE = "change"
ACTIONS = frozenset({VIEW, CHANGE})
_RESTRICTORS: dict[type[models.Model], Restrictor] = {}


def restricts(model: type[models.Model]) -> Callable[[Restrictor], Restrictor]:
    def register(fn: Restrictor) -> Restrictor:
        _RESTRICTORS[model] = fn
        return fn

    return register


def restrict(
    queryset: "models.QuerySet[M]", *, principal: Caller, action: str = VIEW
) -> "models.QuerySet[M]":
    if action not in ACTIONS:
        raise ImproperlyConfigured(f"Unknown action {action!r}: use one of {sorted(ACTIONS)}.")
    try:
        restrictor = _RESTRICTORS[queryset.model]
    except KeyError:
        raise ImproperlyConfigured(
            f"No restriction registered for {queryset.model.__name__}; refusing to serve it."
        ) from None
    return restrictor(queryset, principal, action)


@restricts(Organisation)
def _organisations(qs: QS, principal: Caller, action: str) -> QS:
    return qs if principals.is_superuser(principal) else qs.none()


@restricts(User)
def _staff(qs: QS, principal: Caller, action: str) -> QS:
    if principals.is_superuser(principal):
        return qs
    if principals.is_supervisor(principal):
        return qs.filter(organisation_id=principal.organisation_id)
    return qs.none()


@restricts(ApiKey)
def _api_keys(qs: QS, principal: Caller, action: str) -> QS:
    if principals.is_superuser(principal):
        return qs
    if principals.is_supervisor(principal):
        return qs.filter(organisation_id=principal.organisation_id)
    return qs.none()


def _charity_person(principal: Caller) -> User | None:
    return principal if principals.is_charity_staff(principal) else None


def _case_codename(action: str) -> str:
    """The object permission on a case that ``action`` needs: ``view_case`` or ``change_case``."""
    return f"{action}_case"


@restricts(Case)
def _cases(qs: QS, principal: Caller, action: str) -> QS:
    user = _charity_person(principal)
    if user is None:
        return qs.none()
    return qs.filter(organisation_id=user.organisation_id).filter(
        case_permission_filter(user, _case_codename(action))
    )


@restricts(Client)
def _clients(qs: QS, principal: Caller, action: str) -> QS:
    """Supervisors see every client of their charity; caseworkers and ISVAs the clients of the
    cases they work, and clients they registered that have no case yet."""
    user = _charity_person(principal)
    if user is None:
        return qs.none()
    qs = qs.filter(organisation_id=user.organisation_id)
    if principals.is_supervisor(user):
        return qs
    with_visible_case = cases_visible_to(user, _case_codename(action)).values("client_id")
    has_case = models.Exists(Case.objects.filter(client_id=models.OuterRef("pk")))
    return qs.filter(models.Q(pk__in=with_visible_case) | (models.Q(created_by=user) & ~has_case))


@restricts(ContactMethod)
def _contact_methods(qs: QS, principal: Caller, action: str) -> QS:
    visible = restrict(Client.objects.all(), principal=principal, action=action)
    return qs.filter(client_id__in=visible.values("pk"))


@restricts(Referral)
def _referrals(qs: QS, principal: Caller, action: str) -> QS:
    """The intake queue (new and declined referrals) is open to all the charity's staff; an
    accepted referral is as visible as the case it opened."""
    user = _charity_person(principal)
    if user is None:
        return qs.none()
    qs = qs.filter(organisation_id=user.organisation_id)
    if principals.is_supervisor(user):
        return qs
    return qs.filter(
        models.Q(status__in=[ReferralStatus.NEW, ReferralStatus.DECLINED])
        | models.Q(case__in=cases_visible_to(user, _case_codename(action)).values("pk"))
    )


def _case_records(case_id: str) -> Restrictor:
    """Records that belong to one case (``case_id`` names the path to its id) are as visible,
    and as changeable, as their case; police never see them here (a share shows what it may)."""

    def restrictor(qs: QS, principal: Caller, action: str) -> QS:
        user = _charity_person(principal)
        if user is None:
            return qs.none()
        cases = cases_visible_to(user, _case_codename(action)).values("pk")
        return qs.filter(**{f"{case_id}__in": cases})

    return restrictor


# Every model hanging off a case; tests/permissions/test_case_records.py finds any left out.
CASE_RECORDS: dict[type[models.Model], str] = {
    CaseAssignment: "case_id",
    CaseTransition: "case_id",
    ContactLogEntry: "case_id",
    Note: "case_id",
    ConsentDecision: "case_id",
    PoliceInvolvement: "case_id",
    CourtEvent: "case_id",
    CourtEventDateChange: "event__case_id",
    JusticeDecision: "case_id",
    Entitlement: "case_id",
    OutboundMessage: "case_id",
    GatewayDelivery: "message__case_id",
    NeedRecord: "case_id",
    SafetyPlanItem: "case_id",
    SafetyPlanRevision: "item__case_id",
    RiskAssessment: "case_id",
    Disclosure: "case_id",
    AttachmentShare: "attachment__case_id",
}
for _model, _path in CASE_RECORDS.items():
    restricts(_model)(_case_records(_path))


def active_shares(
    qs: "models.QuerySet[SharedCase]",
    force_id: uuid.UUID | None,
    *,
    group_user: User | None = None,
) -> "models.QuerySet[SharedCase]":
    """Shares of ``force_id`` that are active today and carry the force group's permission row.

    Three conditions, any one of which ending the share removes: the derived status, the review
    date (so a lapsed consent bites before the nightly sweep), and the guardian permission row.
    The groups and the permission are looked up first, so the row check is an EXISTS probe on
    the unique (group, permission, share) index."""
    if force_id is None:
        return qs.none()
    if group_user is not None:
        groups = group_ids(group_user)
    else:
        groups = list(
            Group.objects.filter(name=liaison_group_name(force_id)).values_list("pk", flat=True)
        )
    if not groups:
        return qs.none()
    granted = SharedCaseGroupObjectPermission.objects.filter(
        group_id__in=groups,
        permission_id=models.Subquery(
            Permission.objects.filter(content_type__app_label="sharing", codename="view_sharedcase")
            .order_by()
            .values("pk")[:1]
        ),
        content_object_id=models.OuterRef("pk"),
    )
    return shares_in_force(qs.filter(police_force_id=force_id)).filter(models.Exists(granted))


@restricts(SharedCase)
def _shared_cases(qs: QS, principal: Caller, action: str) -> QS:
    """Police see only the active shares of their own force; an ended share is as invisible as
    one that never existed. Integrations of a force with ``shared-cases:read`` see the same."""
    if principals.is_police_liaison(principal):
        return active_shares(qs, principal.organisation_id, group_user=principal)
    caller = principals.integration(principal)
    if (
        caller is not None
        and action == VIEW
        and "shared-cases:read" in caller.scopes
        and caller.organisation.is_police
    ):
        return active_shares(qs, caller.organisation.pk)
    return qs.none()


@restricts(SharedUpdate)
def _shared_updates(qs: QS, principal: Caller, action: str) -> QS:
    visible = restrict(SharedCase.objects.all(), principal=principal, action=action)
    return qs.filter(shared_case_id__in=visible.values("pk"))


@restricts(ContactRequest)
def _contact_requests(qs: QS, principal: Caller, action: str) -> QS:
    """A contact request is the charity's as a record of its case (its staff see and answer it
    as they see the case), and the sharing force's through its share while the share lasts
    (API keys included only where they see the share; the policies keep keys out)."""
    if principals.is_police_liaison(principal):
        visible = restrict(SharedCase.objects.all(), principal=principal, action=action)
        return qs.filter(shared_case_id__in=visible.values("pk"))
    return _case_records("case_id")(qs, principal, action)


@restricts(Attachment)
def _attachments(qs: QS, principal: Caller, action: str) -> QS:
    """An attachment is the charity's as a record of its case; a force (its liaison only) sees
    one only while it is shared with the force on a share the force can see now: the share's
    end, or the caseworker's withdrawal of that file, ends it on the next request. Nobody
    outside the charity changes one."""
    if principals.is_police_liaison(principal):
        if action != VIEW:
            return qs.none()
        visible = restrict(SharedCase.objects.all(), principal=principal, action=VIEW)
        shared = AttachmentShare.objects.filter(
            shared_case_id__in=visible.values("pk"), withdrawn_at__isnull=True
        )
        return qs.filter(pk__in=shared.values("attachment_id"))
    return _case_records("case_id")(qs, principal, action)


@restricts(RecordsRequest)
def _records_requests(qs: QS, principal: Caller, action: str) -> QS:
    """The charity's staff see a request as they see its case; a force (its liaison, or its key
    with ``shared-cases:read``) sees its own, only through a share in force."""
    if _charity_person(principal) is not None:
        return _case_records("case_id")(qs, principal, action)
    visible = restrict(SharedCase.objects.all(), principal=principal, action=action)
    return qs.filter(shared_case_id__in=visible.values("pk"))


@restricts(Reminder)
def _reminders(qs: QS, principal: Caller, action: str) -> QS:
    """Reminders follow access. Caseworkers and ISVAs see their own reminders only on cases they
    can still see (one taken off a case stops seeing its reminders at once, before they are
    handed on); supervisors every reminder of their organisation. A police liaison sees their
    own, only while the share they are about lasts."""
    user = principals.person(principal)
    if user is None or user.organisation_id is None:
        return qs.none()
    if principals.is_police_liaison(user):
        live = active_shares(SharedCase.objects.all(), user.organisation_id, group_user=user)
        return qs.filter(assignee=user).filter(
            models.Q(shared_case_id__in=live.values("pk")) | models.Q(case__isnull=True)
        )
    if principals.is_supervisor(user):
        return qs.filter(organisation_id=user.organisation_id)
    if principals.is_charity_staff(user):
        return qs.filter(assignee=user, organisation_id=user.organisation_id).filter(
            case_permission_filter(user, _case_codename(action), ref="case_id")
        )
    return qs.none()


def _webhook_manager(principal: Caller) -> User | None:
    """A charity's supervisor or a force's police liaison: who manages the organisation's
    webhooks."""
    if principals.is_supervisor(principal) or principals.is_police_liaison(principal):
        return principal
    return None


@restricts(WebhookSubscription)
def _webhook_subscriptions(qs: QS, principal: Caller, action: str) -> QS:
    """An organisation's managers see and change its subscriptions; nobody else, another
    organisation's least of all."""
    manager = _webhook_manager(principal)
    if manager is None:
        return qs.none()
    return qs.filter(organisation_id=manager.organisation_id)


@restricts(WebhookDelivery)
def _webhook_deliveries(qs: QS, principal: Caller, action: str) -> QS:
    visible = restrict(WebhookSubscription.objects.all(), principal=principal, action=action)
    return qs.filter(subscription_id__in=visible.values("pk"))


@restricts(Approval)
def _approvals(qs: QS, principal: Caller, action: str) -> QS:
    """Proposals of two-person actions: a supervisor reaches every one of their charity's (they
    are the ones who decide); anyone else of the charity the proposals they made themselves,
    while they can still reach the case a proposal is about."""
    user = _charity_person(principal)
    if user is None:
        return qs.none()
    qs = qs.filter(organisation_id=user.organisation_id)
    if principals.is_supervisor(user):
        return qs
    cases = cases_visible_to(user, _case_codename(action)).values("pk")
    return qs.filter(proposed_by=user).filter(
        models.Q(case__isnull=True) | models.Q(case_id__in=cases)
    )


@restricts(Alert)
def _alerts(qs: QS, principal: Caller, action: str) -> QS:
    """An alert is a record of its case for the charity's staff, who change it as they change
    the case; what the charity published (its feed, retractions included) every member of its
    staff may read, and so may its integrations holding ``alerts:read`` or ``checker:query``
    (the policies say which endpoint each may use). Nobody else, and no integration changes
    one."""
    user = _charity_person(principal)
    if user is not None:
        own = _case_records("case_id")(qs, principal, action)
        if action != VIEW:
            return own
        published = qs.filter(organisation_id=user.organisation_id, status__in=IN_FEED)
        return own | published
    caller = principals.integration(principal)
    if (
        caller is not None
        and action == VIEW
        and caller.organisation.is_charity
        and caller.scopes & {"alerts:read", "checker:query"}
    ):
        return qs.filter(organisation_id=caller.organisation.pk, status__in=IN_FEED)
    return qs.none()


@restricts(AlertIdentifier)
def _alert_identifiers(qs: QS, principal: Caller, action: str) -> QS:
    visible = restrict(Alert.objects.all(), principal=principal, action=action)
    return qs.filter(alert_id__in=visible.values("pk"))


@restricts(AuditEvent)
def _audit_events(qs: QS, principal: Caller, action: str) -> QS:
    """Supervisors read their organisation's trail; nobody changes it (the table is append-only)."""
    if action == VIEW and principals.is_supervisor(principal):
        return qs.filter(organisation_id=principal.organisation_id)
    return qs.none()


def ended_shares(principal: Caller) -> "models.QuerySet[SharedCase]":
    """The caller's force's ended shares, for telling police that a share ended (and no more)."""
    force = None
    if principals.is_police_liaison(principal):
        force = principal.organisation_id
    else:
        caller = principals.integration(principal)
        if caller is not None and "shared-cases:read" in caller.scopes:
            force = caller.organisation.pk
    if force is None:
        return SharedCase.objects.none()
    return SharedCase.objects.filter(police_force_id=force, status=ShareStatus.ENDED)


def shares_held(principal: Caller) -> "models.QuerySet[SharedCase]":
    """Every share the caller's force holds or held, for the force's statistics (counted from
    the share's own facts, never shown row by row). Nobody else's."""
    if not principals.is_police_liaison(principal) or principal.organisation_id is None:
        return SharedCase.objects.none()
    return SharedCase.objects.filter(police_force_id=principal.organisation_id)


def organisation_for_write(principal: Caller, requested: Organisation | None) -> Organisation:
    """The organisation a new member of staff or API key goes into.

    A supervisor always writes into their own organisation (naming another one is refused, so a
    foreign id cannot be smuggled in); a superuser must say which."""
    if principals.is_superuser(principal):
        if requested is None:
            raise ValidationError({"organisation": ["Say which organisation this is for."]})
        return requested
    user = principals.person(principal)
    own = user.organisation if user is not None else None
    if own is None or (requested is not None and requested.pk != own.pk):
        raise ValidationError({"organisation": ["You can only add to your own organisation."]})
    return own
