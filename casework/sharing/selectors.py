"""Reading the consent ledger, police involvement and shared cases, narrowed first to what the
caller may see (or change); and what police are shown of a shared case, chosen here rather than
in the API so that every police response (and anything else that ever needs it) gives the same
answer."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from casework.accounts.models import User
from casework.accounts.principals import Principal
from casework.cases.assignments import primary_assignee_of
from casework.cases.models import Case
from casework.clients.choices import PHONE_KINDS, POLICE_ROUTE_KINDS, WORKING_STATUSES
from casework.clients.models import ContactMethod
from casework.core.access import visible_to
from casework.court.models import CourtEvent
from casework.reminders.choices import MessageChannel
from casework.reminders.messages import ROUTES

from .choices import POLICE_SCOPES, ConsentScope, ContactRoute, DecisionKind, OverrideState
from .ledger import latest_decisions, latest_overrides, override_in_force
from .models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate

# Police write to a client as the charity's own messages do: a text to a mobile, or an email,
# each only where the route is marked safe for written contact.
WRITTEN_CHANNELS = (MessageChannel.TEXT, MessageChannel.EMAIL)


def _safe_for_police() -> Q:
    """A phone police may call, or a route they may write to."""
    safe = Q(kind__in=PHONE_KINDS, safe_to_call=True)
    for channel in WRITTEN_CHANNELS:
        kinds, flag = ROUTES[channel]
        safe |= Q(kind__in=kinds, **{flag: True})
    return safe


def police_routes(client_id: uuid.UUID) -> "QuerySet[ContactMethod]":
    """The client's routes police may be given: flagged by staff as one police may use, a phone
    or an email, working (not failing, dead or retired), and safe to call or to write to. An
    address, a third party or an outreach location never qualifies, whatever is preferred."""
    return ContactMethod.objects.filter(
        client_id=client_id,
        police_may_use=True,
        kind__in=POLICE_ROUTE_KINDS,
        status__in=WORKING_STATUSES,
    ).filter(_safe_for_police())


def police_route(client_id: uuid.UUID) -> ContactMethod | None:
    """The route the client chose for police: the first of ``police_routes``, the preferred one
    first."""
    return (
        police_routes(client_id)
        .order_by("-preferred", F("verified_at").desc(nulls_last=True), "created_at", "id")
        .first()
    )


@dataclass(frozen=True)
class PoliceContact:
    """How police reach the client: directly by ``method``, or through ``caseworker`` (the case's
    person, who may be nobody while the case has no active member of staff) at the charity."""

    route: str
    method: ContactMethod | None = None
    caseworker: User | None = None
    organisation: str = ""

    @property
    def contact_through(self) -> str:
        """The name police ask for at the charity: the person's full name, else their username;
        empty while the case has nobody."""
        worker = self.caseworker
        if worker is None:
            return ""
        return worker.get_full_name() or worker.username

    @property
    def email(self) -> str:
        return self.caseworker.email if self.caseworker is not None else ""


def police_contact(share: SharedCase, *, direct_allowed: bool) -> PoliceContact:
    """Direct contact where the client consented to it (``direct_allowed``) and chose a route
    that qualifies; otherwise through the charity, naming the case's person by the same ranking
    the reminders use."""
    if direct_allowed:
        method = police_route(share.case.client_id)
        if method is not None:
            return PoliceContact(ContactRoute.DIRECT, method=method)
    return PoliceContact(
        ContactRoute.THROUGH_CHARITY,
        caseworker=primary_assignee_of(share.case_id),
        organisation=share.case.organisation.name,
    )


def court_events_on_share(share: SharedCase) -> "QuerySet[CourtEvent]":
    """The hearings a share shows: the charity's, and those police added through this very
    share. A hearing a force added on an earlier share stays with that share (the charity still
    sees it on the case), as does one another force added."""
    return CourtEvent.objects.filter(case_id=share.case_id).filter(
        Q(shared_case__isnull=True) | Q(shared_case=share)
    )


def police_area(case: Case) -> str | None:
    """The case's area as police may see it: the organisation's own spelling of it, only while it
    is on the organisation's list (a name taken off the list stops showing), and never the
    charity's free-text description of where it happened."""
    return listed_area(case.area, case.organisation.areas)


def listed_area(area: str, listed: list[str]) -> str | None:
    """``area`` in the organisation's own spelling if it is on the organisation's ``listed``
    areas, else nothing (``police_area``)."""
    if not area:
        return None
    return {name.casefold(): name for name in listed}.get(area.casefold())


def incident_month(case: Case) -> str | None:
    """The incident date to the month ("YYYY-MM"), all anonymous intelligence gives of when."""
    return case.incident_date.strftime("%Y-%m") if case.incident_date else None


def consent_ledger(*, principal: Principal, case: Case) -> dict[str, Any]:
    """The ledger as staff read it: the state of each scope now (per force for police scopes;
    "not asked" for a scope with no decision) and the latest override per force, beside every
    decision, newest first."""
    decisions = (
        visible_to(ConsentDecision.objects.all(), principal)
        .filter(case_id=case.pk)
        .select_related("police_force", "recorded_by", "caused_by")
    )
    current = latest_decisions(decisions)
    rows: list[dict[str, object]] = []
    for scope in ConsentScope.values:
        keys = [k for k in current if k[0] == scope]
        if not keys and scope not in POLICE_SCOPES:
            rows.append(
                {
                    "scope": scope,
                    "police_force": None,
                    "state": "not_asked",
                    "review_date": None,
                    "decision": None,
                }
            )
        for key in keys:
            entry = current[key]
            decision = entry.decision
            state = "lapsed" if entry.lapsed else "granted" if decision.granted else "refused"
            rows.append(
                {
                    "scope": scope,
                    "police_force": decision.police_force,
                    "state": state,
                    "review_date": decision.review_date,
                    "decision": decision.public_id,
                }
            )
    history = sorted(decisions, key=lambda d: d.id, reverse=True)
    return {"current": rows, "overrides": _overrides(history), "history": history}


def _overrides(history: list[ConsentDecision]) -> list[dict[str, object]]:
    """Per force, the latest override and where it stands: in force, expired, or ended (by a
    supervisor, or by the client's consent). ``history`` is newest first."""
    rows: list[dict[str, object]] = []
    for force_id, last in latest_overrides(history).items():
        override = next(
            (
                d
                for d in history
                if d.kind == DecisionKind.OVERRIDE and d.police_force_id == force_id
            ),
            None,
        )
        if override is None:
            continue
        if last.kind == DecisionKind.OVERRIDE_END:
            state = OverrideState.ENDED
        elif override_in_force(override):
            state = OverrideState.IN_FORCE
        else:
            state = OverrideState.EXPIRED
        rows.append(
            {
                "police_force": override.police_force,
                "ground": override.override_ground,
                "expires_at": override.override_expires_at,
                "state": state,
                "decision": override.public_id,
                "approval": override.approval_id,
                "ended_by": last.public_id if last.kind == DecisionKind.OVERRIDE_END else None,
            }
        )
    return rows


def police_involvement(*, principal: Principal, case: Case) -> PoliceInvolvement:
    """The police side of the case as its staff keep it, or an empty one (version 0) until they
    record something."""
    found = (
        visible_to(PoliceInvolvement.objects.all(), principal)
        .filter(case_id=case.pk)
        .select_related("police_force", "updated_by")
        .first()
    )
    return found or PoliceInvolvement(case=case, version=0)


def police_involvement_through_share(
    *, principal: Principal, share: SharedCase
) -> PoliceInvolvement:
    """The police side of a shared case as the force reads it: only through a share the caller
    may see (one statement, the share's visibility as its subquery), or an empty one (version 0)
    until someone records something."""
    visible_share = visible_to(SharedCase.objects.all(), principal).filter(pk=share.pk)
    found = (
        PoliceInvolvement.objects.filter(case_id__in=visible_share.values("case_id"))
        .select_related("police_force", "updated_by")
        .first()
    )
    return found or PoliceInvolvement(case=share.case, version=0)


def shares(*, principal: Principal, action: str = "view") -> "QuerySet[SharedCase]":
    """Shares the caller may see, with the owning charity (for the audit of police reads)."""
    return visible_to(SharedCase.objects.all(), principal, action=action).select_related(
        "case__organisation"
    )


def shared_cases(*, principal: Principal, action: str = "view") -> "QuerySet[SharedCase]":
    """Shares the caller may see with what their shared part shows (the list reads
    ``shared_case_rows``)."""
    return visible_to(SharedCase.objects.all(), principal, action=action).select_related(
        "case__client",
        "case__organisation",
        "case__police_involvement__police_force",
        "case__police_involvement__updated_by",
        "police_force",
    )


# What a row of the police's shared-case list holds: the incident facts a list shows, what
# decides how much of them the share allows, and what the audit of the read names.
SHARED_CASE_ROW = (
    "id",
    "share_reference",
    "level",
    "contact_directly",
    "override_ground",
    "override_until",
    "started_at",
    "review_date",
    "police_force_id",
    "case_id",
    "case__client_id",
    "case__organisation_id",
    "case__offence_types",
    "case__incident_date",
    "case__area",
    "case__organisation__areas",
)


def shared_case_rows(*, principal: Principal) -> "QuerySet[SharedCase, dict[str, Any]]":
    """The shares the caller may see as rows of ``SHARED_CASE_ROW``: no identity is read."""
    rows: QuerySet[SharedCase, dict[str, Any]] = visible_to(
        SharedCase.objects.all(), principal
    ).values(*SHARED_CASE_ROW)
    return rows


def shared_updates(
    *, principal: Principal, share: SharedCase, action: str = "view"
) -> "QuerySet[SharedUpdate]":
    """Updates across one share, police's and the charity's shared notes."""
    return (
        visible_to(SharedUpdate.objects.all(), principal, action=action)
        .filter(shared_case_id=share.pk)
        .select_related("author", "shared_case__case__organisation")
    )
