"""DRF permission classes. Every view names one policy that maps each of its actions to a rule;
an action the policy does not name is refused, so a new action is closed until someone opens it."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from casework.accounts import principals
from casework.accounts.models import User
from casework.accounts.services.two_factor import enabled

from . import rules
from .rules import Rule

if TYPE_CHECKING:  # rest_framework.views imports the default policy; avoid the cycle
    from rest_framework.request import Request
    from rest_framework.views import APIView


class DenyAll(BasePermission):
    """The default for any view that forgets to name a policy."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return False


class Policy(BasePermission):
    """Subclasses set ``rules``: action (or lower-case HTTP method for plain views) to rule.

    While a person's organisation requires two-factor sign-in and they have not set it up, only
    policies marked ``during_enrolment`` let them through."""

    rules: dict[str, Rule] = {}
    during_enrolment = False

    @classmethod
    def rule_for(cls, view: "APIView", request: "Request") -> Rule:
        action = getattr(view, "action", None) or (request.method or "").lower()
        return cls.rules.get(action, rules.nobody)

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        if request.method == "OPTIONS":
            return rules.any_caller(request.user)
        if not _routed(view, request):
            # No handler: let the view answer 405, which says nothing about any object.
            return True
        if not self.rule_for(view, request)(request.user):
            return False
        person = principals.person(request.user)
        if person is not None and not self.during_enrolment and _enrolment_pending(person):
            self.message = "Your organisation requires two-factor sign-in: set it up first."
            self.code = "two_factor_required"
            return False
        return True


def _routed(view: "APIView", request: "Request") -> bool:
    method = (request.method or "").lower()
    if method not in view.http_method_names:
        return False
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return method in action_map
    return hasattr(view, method)


def _enrolment_pending(person: User) -> bool:
    if person.organisation is None or not person.organisation.require_two_factor:
        return False
    return not enabled(person)


def policy(name: str, *, during_enrolment: bool = False, **action_rules: Rule) -> type[Policy]:
    return type(
        name, (Policy,), {"rules": dict(action_rules), "during_enrolment": during_enrolment}
    )


# Public endpoints outside the API proper.
Public = policy("Public", get=Rule("anyone", lambda p: True), head=Rule("anyone", lambda p: True))

AuthLogin = policy("AuthLogin", post=Rule("anyone", lambda p: True))
# The link's token is the credential: anyone holding a good one may set that person's password.
PasswordSet = policy("PasswordSet", post=Rule("anyone", lambda p: True))
AuthLogout = policy("AuthLogout", during_enrolment=True, post=rules.any_person)
Me = policy("Me", during_enrolment=True, get=rules.any_caller)
PasswordChange = policy("PasswordChange", during_enrolment=True, post=rules.any_person)
TwoFactor = policy("TwoFactor", during_enrolment=True, get=rules.any_person, post=rules.any_person)
OrganisationSettings = policy("OrganisationSettings", get=rules.supervisor, patch=rules.supervisor)

Organisations = policy(
    "Organisations",
    list=rules.superuser,
    retrieve=rules.superuser,
    create=rules.superuser,
    partial_update=rules.superuser,
)

_staff_admin = rules.supervisor | rules.superuser
Staff = policy(
    "Staff",
    list=_staff_admin,
    retrieve=_staff_admin,
    create=_staff_admin,
    partial_update=_staff_admin,
    activate=_staff_admin,
    deactivate=_staff_admin,
    revoke_tokens=_staff_admin,
    reset_two_factor=_staff_admin,
    send_password_link=_staff_admin,
)
ApiKeys = policy(
    "ApiKeys",
    list=_staff_admin,
    retrieve=_staff_admin,
    create=_staff_admin,
    revoke=_staff_admin,
)

_staff_only = rules.charity_staff
Clients = policy(
    "Clients",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
    lookup=_staff_only,
    export=rules.supervisor,
    erase=rules.supervisor,
    access_log=rules.supervisor,
)
ContactMethods = policy(
    "ContactMethods",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
    verify=_staff_only,
    retire=_staff_only,
)
Referrals = policy(
    "Referrals",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only | rules.scope("referrals:write"),
    accept=_staff_only,
    decline=_staff_only,
)
Cases = policy(
    "Cases",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
    transitions=_staff_only,
    timeline=_staff_only,
    assign=rules.supervisor,
    unassign=rules.supervisor,
    access_log=rules.supervisor,
)
Contacts = policy(
    "Contacts",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
)
Notes = policy("Notes", list=_staff_only, retrieve=_staff_only, create=_staff_only)

Consents = policy("Consents", get=_staff_only, post=_staff_only)
ConsentOverrides = policy("ConsentOverrides", post=_staff_only)
ConsentOverrideEnd = policy("ConsentOverrideEnd", post=rules.supervisor)
# Two-person actions: staff see the proposals they made (and withdraw them); supervisors see
# every proposal of their charity and decide them (never their own: the service refuses that).
Approvals = policy(
    "Approvals",
    list=_staff_only,
    retrieve=_staff_only,
    approve=rules.supervisor,
    reject=rules.supervisor,
    withdraw=_staff_only,
)
# Warn others: the case's staff draft, send for review and retract its alerts (a supervisor who
# did not write one approves it under Approvals); subscribers read the feed with alerts:read;
# the checker answers checker:query keys and the charity's staff.
CaseAlerts = policy(
    "CaseAlerts",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    submit=_staff_only,
    redraft=_staff_only,
    retract=_staff_only,
)
AlertFeed = policy("AlertFeed", list=rules.scope("alerts:read"))
Checker = policy("Checker", post=_staff_only | rules.scope("checker:query"))
RetentionProposals = policy("RetentionProposals", post=rules.supervisor)
PoliceInvolvement = policy("PoliceInvolvement", get=_staff_only, patch=_staff_only)
SharedCases = policy(
    "SharedCases",
    list=rules.police_liaison | rules.scope("shared-cases:read"),
    retrieve=rules.police_liaison | rules.scope("shared-cases:read"),
    ended=rules.police_liaison | rules.scope("shared-cases:read"),
    police_involvement=rules.police_liaison,
)
SharedUpdates = policy(
    "SharedUpdates",
    list=rules.police_liaison | rules.scope("shared-cases:read"),
    create=rules.police_liaison,
)
SharedContactRequests = policy(
    "SharedContactRequests",
    list=rules.police_liaison,
    retrieve=rules.police_liaison,
    create=rules.police_liaison,
    withdraw=rules.police_liaison,
)
Attachments = policy(
    "Attachments",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
    download=_staff_only,
    retire=_staff_only,
    share=_staff_only,
    unshare=_staff_only,
)
SharedAttachments = policy(
    "SharedAttachments",
    list=rules.police_liaison,
    retrieve=rules.police_liaison,
    download=rules.police_liaison,
)
ContactRequests = policy(
    "ContactRequests", list=_staff_only, retrieve=_staff_only, answer=_staff_only
)

CourtEvents = policy(
    "CourtEvents",
    list=_staff_only,
    retrieve=_staff_only,
    create=_staff_only,
    partial_update=_staff_only,
)
Decisions = policy("Decisions", list=_staff_only, create=_staff_only, client_told=_staff_only)
Entitlements = policy(
    "Entitlements",
    list=_staff_only,
    met=_staff_only,
    not_applicable=_staff_only,
    acknowledged=_staff_only,
)
CaseRights = policy("CaseRights", get=_staff_only, post=_staff_only)
Caseload = policy("Caseload", get=_staff_only)
CalendarFeed = policy("CalendarFeed", post=_staff_only, delete=_staff_only)
SharedCourtEvents = policy(
    "SharedCourtEvents",
    get=rules.police_liaison | rules.scope("shared-cases:read"),
    post=rules.police_liaison,
)
Disclosures = policy("Disclosures", list=_staff_only, retrieve=_staff_only)
RecordsRequests = policy(
    "RecordsRequests",
    list=_staff_only,
    retrieve=_staff_only,
    client_told=_staff_only,
    decide=rules.supervisor,
)
SharedRecordsRequests = policy(
    "SharedRecordsRequests",
    list=rules.police_liaison | rules.scope("shared-cases:read"),
    retrieve=rules.police_liaison | rules.scope("shared-cases:read"),
    create=rules.police_liaison,
)
SupportPlan = policy("SupportPlan", get=_staff_only, post=_staff_only, patch=_staff_only)

_any_staff = rules.charity_staff | rules.police_liaison
Reminders = policy(
    "Reminders", list=_any_staff, retrieve=_any_staff, complete=_any_staff, snooze=_any_staff
)
ReminderPolicy = policy("ReminderPolicy", get=_staff_only, patch=rules.supervisor)
ReminderPreferences = policy("ReminderPreferences", get=_any_staff, patch=_any_staff)
Messages = policy(
    "Messages", list=_staff_only, retrieve=_staff_only, create=_staff_only, cancel=_staff_only
)

# Published statistics: a charity's supervisors for their charity, a force's liaisons for the
# shares the force holds or held; both suppressed the same way.
Stats = policy("Stats", get=rules.supervisor | rules.police_liaison)

AuditEvents = policy(
    "AuditEvents", list=rules.supervisor, retrieve=rules.supervisor, export=rules.supervisor
)

_webhooks = rules.webhook_manager
Webhooks = policy(
    "Webhooks",
    list=_webhooks,
    retrieve=_webhooks,
    create=_webhooks,
    partial_update=_webhooks,
    destroy=_webhooks,
    rotate_secret=_webhooks,
)
WebhookDeliveries = policy(
    "WebhookDeliveries", list=_webhooks, retrieve=_webhooks, redeliver=_webhooks
)
