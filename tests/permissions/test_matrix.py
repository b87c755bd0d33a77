"""Every route under /api/v1/, every principal, every kind of object: the status the written
permission matrix (permissions/matrix.yaml) expects is the status the API gives.

One world is built (two charities, two police forces, cases of every kind with what hangs off
them, shares derived from consent exactly as in production); each cell runs inside a savepoint
that is rolled back, so every cell starts from that same world."""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import is_charity_staff
from casework.alerts.choices import AlertStatus
from casework.alerts.models import Alert
from casework.alerts.services import alert_draft, alert_submit
from casework.approvals.services import approval_approve
from casework.attachments import services as attachments
from casework.attachments.models import Attachment
from casework.audit.models import AuditEvent
from casework.cases import lifecycles
from casework.cases.models import Case
from casework.cases.services import contacts
from casework.clients.models import Client
from casework.contact_requests import services as contact_requests
from casework.court import services as court
from casework.disclosures.models import RecordsRequest
from casework.disclosures.services import record_disclosure
from casework.reminders.choices import ReminderKind
from casework.reminders.messages import message_plan
from casework.reminders.models import Reminder
from casework.sharing import services as sharing
from casework.sharing.models import SharedCase
from casework.sharing.overrides import override_propose
from casework.support import services as support
from casework.webhooks.services import subscription_create

from ..conftest import Api, client_for, client_for_key
from ..factories import (
    PASSWORD,
    CaseFactory,
    ClientFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    IsvaFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    ReferralFactory,
    SuperuserFactory,
    SupervisorFactory,
    UserFactory,
    make_api_key,
)

MATRIX = Path(__file__).resolve().parents[2] / "permissions" / "matrix.yaml"
API_PREFIX = "/api/v1/"
HANDLERS = ("get", "post", "put", "patch", "delete")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# --- the routes the URL configuration serves ---------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _template(raw: str) -> str:
    """``api/v1/^cases/(?P<pk>[^/.]+)/$`` and ``api/v1/cases/<str:pk>/`` both become
    ``/api/v1/cases/{pk}/``."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", raw)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    for anchor in ("^", "$", r"\Z"):
        path = path.replace(anchor, "")
    return "/" + path


def _methods(callback) -> set[str] | None:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a ViewSet: the router's method -> action mapping
        allowed = callback.cls.http_method_names
        return {m for m in actions if m in HANDLERS and m in allowed}
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return None  # a plain function view: its methods cannot be told from outside
    return {m for m in HANDLERS if hasattr(view, m) and m in view.http_method_names}


def api_routes(problems: list[str]) -> dict[str, set[str]]:
    """Path template -> the HTTP methods routed there."""
    routes: dict[str, set[str]] = {}
    for raw, pattern in _walk(get_resolver().url_patterns):
        path = _template(raw)
        if not path.startswith(API_PREFIX):
            continue
        methods = _methods(pattern.callback)
        if methods is None:
            problems.append(f"{path}: a function view; make it an APIView so its methods show")
            methods = set()
        routes.setdefault(path, set()).update(m.upper() for m in methods)
    return routes


# --- the written matrix --------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    principal: str
    kind: str | None
    expected: int
    empty: bool = False  # a 200 list that must hold nothing


def _status(value, ok: int) -> tuple[int, bool]:
    if value == "empty":
        return 200, True
    return (ok if value == "ok" else int(value)), False


def load_matrix(problems: list[str]) -> tuple[dict, dict, list[Cell]]:
    """Returns the routed entries, the unrouted entries and every cell, noting notation errors."""
    data = yaml.safe_load(MATRIX.read_text())
    principals = data["principals"]
    sets = data["object_sets"]
    cells: list[Cell] = []
    sections = {"routes": data.get("routes") or {}, "unrouted": data.get("unrouted") or {}}
    for entries in sections.values():
        for key, entry in entries.items():
            method, path = key.split(" ", 1)
            kinds = sets[entry["objects"]] if "objects" in entry else [None]
            if bool(PLACEHOLDER.search(path)) != (kinds != [None]):
                problems.append(f"{key}: ids in the path and `objects` must go together")
                continue
            ok = int(entry.get("ok", 200))
            expect = entry["expect"]
            for name in set(expect) - set(principals):
                problems.append(f"{key}: unknown principal {name}")
            for principal in principals:
                if principal not in expect:
                    problems.append(f"{key}: no status for {principal}")
                    continue
                spec = expect[principal]
                if isinstance(spec, dict):
                    for name in set(spec) - {*kinds, "default"}:
                        problems.append(f"{key}: {principal} names unknown object kind {name}")
                for kind in kinds:
                    value = spec.get(kind, spec.get("default")) if isinstance(spec, dict) else spec
                    if value is None:
                        problems.append(f"{key}: no status for {principal} on {kind}")
                        continue
                    cells.append(Cell(method, path, principal, kind, *_status(value, ok)))
    return sections["routes"], sections["unrouted"], cells


def coverage_problems(routes: dict[str, set[str]], written: dict, unrouted: dict) -> list[str]:
    served = {f"{m} {path}" for path, methods in routes.items() for m in methods}
    problems = [f"routed but not in matrix.yaml: {key}" for key in sorted(served - set(written))]
    problems += [f"in matrix.yaml but not routed: {key}" for key in sorted(set(written) - served)]
    for key in sorted(unrouted):
        method, path = key.split(" ", 1)
        if path not in routes:
            problems.append(f"unrouted probe on a path that does not exist: {key}")
        elif method in routes[path]:
            problems.append(f"listed as unrouted but routed (move it to routes): {key}")
    return problems


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    callers: dict[str, Api]  # principal -> an API client signed in as it
    people: dict[str, User]  # principal (and the other staff below) -> the person
    # object kind -> collection segment in the URL ("cases", "contact-methods", ...) -> id
    ids: dict[str, dict[str, object]]
    cases: dict[str, Case]
    charity_a: Organisation
    fresh_client: Client  # registered by caseworker_unassigned, no case yet
    spare: dict[str, User]  # own_org / other_org: a caseworker on no case, target of staff routes


def _contact_request_body() -> dict:
    return {
        "purpose": "take_statement",
        "explanation": "The officer in the case would like a statement.",
        "urgency": "routine",
        "preferred_contact": "phone_call",
        "window_from": timezone.now().isoformat(),
        "window_until": (timezone.now() + timedelta(days=7)).isoformat(),
    }


def _contact_request_on(share: SharedCase, officer: User):
    return contact_requests.contact_request_create(
        shared_case=share,
        requested_by=officer,
        purpose="take_statement",
        explanation="The officer in the case would like a statement.",
        urgency="routine",
        preferred_contact="phone_call",
        window_from=timezone.now(),
        window_until=timezone.now() + timedelta(days=7),
    )


MATRIX_AREA = "Matrix area"


def _alert_body(world, principal, kind) -> dict:
    return {
        "what_happened": "Refused to pay and turned violent.",
        "area": MATRIX_AREA,
        "happened_on": timezone.localdate() - timedelta(days=2),
        "identifiers": [{"kind": "phone", "value": "07700 900555"}],
    }


def build_world() -> World:
    charity_a, charity_b = OrganisationFactory(), OrganisationFactory()
    force_f, force_g = PoliceForceFactory(), PoliceForceFactory()
    people = {
        "caseworker_assigned": UserFactory(organisation=charity_a),
        "caseworker_unassigned": UserFactory(organisation=charity_a),
        "isva_assigned": IsvaFactory(organisation=charity_a),
        "supervisor": SupervisorFactory(organisation=charity_a),
        "other_charity_supervisor": SupervisorFactory(organisation=charity_b),
        "police_sharing": PoliceLiaisonFactory(organisation=force_f),
        "police_other": PoliceLiaisonFactory(organisation=force_g),
        "superuser": SuperuserFactory(),
    }
    supervisor_a, supervisor_b = people["supervisor"], people["other_charity_supervisor"]
    assigned_a = [people["caseworker_assigned"], people["isva_assigned"]]
    caseworker_b = UserFactory(organisation=charity_b)
    spare = {
        "own_org": UserFactory(organisation=charity_a),
        "other_org": UserFactory(organisation=charity_b),
    }

    # Cases, each with its own client, contact method, contact log entry and note.
    ids: dict[str, dict[str, str]] = {}
    world_cases: dict[str, Case] = {}
    owners = {
        "own_case": (supervisor_a, assigned_a),
        "other_org_case": (supervisor_b, [caseworker_b]),
        "shared_identified": (supervisor_a, assigned_a),
        "shared_anonymous": (supervisor_a, assigned_a),
        "share_ended": (supervisor_a, assigned_a),
    }
    for n, (kind, (supervisor, assigned)) in enumerate(owners.items()):
        client = ClientFactory(created_by=supervisor, pseudonym=f"Client {kind}")
        method = ContactMethodFactory(client=client, kind="mobile", value=f"07700 90010{n}")
        case = CaseFactory(client=client, opened_by=supervisor, assigned_to=assigned)
        entry = ContactLogEntryFactory(
            case=case, recorded_by=assigned[0], contact_method=method, occurred_at=timezone.now()
        )
        note = contacts.note_add(
            case=case, author=assigned[0], body=f"Note on {kind}", visibility="internal"
        )
        stored = ConsentDecisionFactory(case=case, scope="store_records")
        # Something that left the charity about every case (shares add their own views).
        disclosure = record_disclosure(
            case=case,
            kind="webhook_delivery",
            recipient=force_f,
            content='{"event": "case.updated"}',
            actor=supervisor,
            consent_decision=stored,
        )
        hearing = CourtEventFactory(
            case=case,
            actor=assigned[0],
            court="Magistrates' Court",
            starts_at=timezone.now() + timedelta(days=30),
        )
        decision = court.record_decision(
            case=case,
            transition=None,
            kind="arrest",
            decided_on=timezone.localdate(),
            client_told_on=None,
            actor=assigned[0],
        )
        safety = support.safety_item_add(
            case=case, actor=assigned[0], description="Keeps a charged phone."
        )
        complaint = court.open_entitlement(
            case=case, right="complaint", triggered_on=timezone.localdate(), provider="cps"
        )
        message = message_plan(
            case=case,
            author=assigned[0],
            purpose="appointment",
            channel="text",
            body="See you on Tuesday at the drop-in.",
            send_after=timezone.now() + timedelta(days=2),
        )
        attachment = attachments.attachment_upload(
            case=case,
            uploaded_by=assigned[0],
            data=f"Kept on {kind}.\n".encode(),
            name="kept.txt",
            declared_type="text/plain",
            kind="other",
        )
        world_cases[kind] = case
        ids[kind] = {
            "attachments": attachment.pk,
            "cases": case.pk,
            "clients": client.pk,
            "contact-methods": method.pk,
            "contacts": entry.pk,
            "notes": note.pk,
            "court-events": hearing.pk,
            "decisions": decision.pk,
            "safety-plan": safety.item_id,
            "messages": message.pk,
            "entitlements": complaint.pk,
            "disclosures": disclosure.pk,
        }

    # Shares with force F, derived from the consent ledger as in production.
    # Each share has a police contact request; the ended share's was closed as it ended.
    contact_requests = {}
    for kind, scope, granted in [
        ("shared_identified", "share_with_police", True),
        ("shared_anonymous", "share_anonymous_intelligence", True),
        ("share_ended", "share_with_police", True),
        ("share_ended", "share_with_police", False),
    ]:
        ConsentDecisionFactory(
            case=world_cases[kind], scope=scope, granted=granted, police_force=force_f
        )
        if granted:
            contact_requests[kind] = _contact_request_on(
                SharedCase.objects.get(
                    case=world_cases[kind], police_force=force_f, status="active"
                ),
                people["police_sharing"],
            )
    shares = {
        kind: SharedCase.objects.get(case=world_cases[kind], police_force=force_f)
        for kind in ("shared_identified", "shared_anonymous", "share_ended")
    }
    states = {kind: (share.level, share.status) for kind, share in shares.items()}
    assert states == {
        "shared_identified": ("identified", "active"),
        "shared_anonymous": ("anonymous", "active"),
        "share_ended": ("identified", "ended"),
    }, states
    assert not SharedCase.objects.filter(police_force=force_g).exists()
    for kind, share in shares.items():
        ids[kind]["shared-cases"] = share.pk
        ids[kind]["contact-requests"] = contact_requests[kind].pk
        # A request for records the force made through each share (the ended one's before it
        # ended), awaiting the charity's decision.
        ids[kind]["records-requests"] = RecordsRequest.objects.create(
            case=world_cases[kind],
            shared_case=share,
            requested_by=people["police_sharing"],
            requested_at=timezone.now() - timedelta(days=1),
            material="The notes of the night.",
            line_of_enquiry="Where the suspect went.",
            necessity="No other record.",
            proportionality="One night only.",
            respond_by=timezone.localdate() + timedelta(days=14),
        ).pk
    # The identified share's force sees the file of its case a caseworker shared with it.
    attachments.attachment_share(
        attachment=Attachment.objects.get(pk=ids["shared_identified"]["attachments"]),
        police_force=force_f.pk,
        shared_by=supervisor_a,
    )
    identified = shares["shared_identified"]
    sharing.police_involvement_update(
        case=world_cases["shared_identified"],
        actor=supervisor_a,
        police_force=force_f,
        crime_reference="CR/0001",
    )
    sharing.police_update_post(
        shared_case=identified,
        author=people["police_sharing"],
        kind="investigation",
        body="Suspect interviewed.",
    )
    contacts.note_add(
        case=world_cases["shared_identified"],
        author=supervisor_a,
        body="Client is safe and engaged.",
        visibility="shared",
    )

    # Open reminders, one per reminder kind of the matrix (see matrix.yaml).
    reminders = {
        "caseworker_reminder": (ReminderKind.NO_RECENT_CONTACT, "own_case", "caseworker_assigned"),
        "isva_reminder": (ReminderKind.COURT_DATE, "own_case", "isva_assigned"),
        "supervisor_reminder": (ReminderKind.CONTACT_FAILURES, "own_case", "supervisor"),
        "other_org_reminder": (ReminderKind.REVERIFY_CONTACT, "other_org_case", "caseworker_b"),
        "police_reminder": (
            ReminderKind.POLICE_UPDATE_OVERDUE,
            "shared_identified",
            "police_sharing",
        ),
        "police_reminder_ended": (
            ReminderKind.POLICE_UPDATE_OVERDUE,
            "share_ended",
            "police_sharing",
        ),
        "left_behind_reminder": (
            ReminderKind.REVERIFY_CONTACT,
            "own_case",
            "caseworker_unassigned",
        ),
    }
    staff_by_name = {**people, "caseworker_b": caseworker_b}
    for kind, (reminder_kind, case_kind, assignee_name) in reminders.items():
        assignee = staff_by_name[assignee_name]
        share = shares.get(case_kind) if assignee_name == "police_sharing" else None
        reminder = Reminder.objects.create(
            kind=reminder_kind,
            dedup_key=f"matrix:{kind}",
            organisation=assignee.organisation,
            case=world_cases[case_kind],
            shared_case=share,
            assignee=assignee,
            due_at=timezone.now() - timedelta(hours=1),
        )
        ids[kind] = {"reminders": reminder.pk}

    # A client registered by the unassigned caseworker, with no case yet (theirs to open one for).
    fresh = ClientFactory(created_by=people["caseworker_unassigned"], pseudonym="Fresh")

    # Every case's client agreed to warn others, and each case has a draft alert.
    for organisation in (charity_a, charity_b):
        organisation.areas = [MATRIX_AREA]
        organisation.save(update_fields=["areas"])
    for kind, case in world_cases.items():
        ConsentDecisionFactory(case=case, scope="warn_others")
        author = people["supervisor"] if kind != "other_org_case" else supervisor_b
        ids[kind]["alerts"] = alert_draft(
            case=case, by=author, **_alert_body(world=None, principal=None, kind=kind)
        ).pk
    # Charity A published one alert from its own case (written by the assigned caseworker,
    # approved by the supervisor), for its feed and its checker to answer from.
    in_review = alert_draft(
        case=world_cases["own_case"],
        by=people["caseworker_assigned"],
        **_alert_body(world=None, principal=None, kind="own_case"),
    )
    approval_approve(
        approval=alert_submit(
            alert=in_review, by=people["caseworker_assigned"], reason="Others should know."
        ),
        by=supervisor_a,
    )
    published = Alert.objects.filter(status=AlertStatus.PUBLISHED)
    assert list(published.values_list("organisation", flat=True)) == [charity_a.pk]

    # Records of each organisation for the account and intake routes.
    for kind, org in {"own_org": charity_a, "other_org": charity_b}.items():
        key, _ = make_api_key(org)
        subscription, _ = subscription_create(
            organisation=org,
            by=supervisor_a if org == charity_a else supervisor_b,
            url="http://127.0.0.1:9/hooks",
            events=["referral.received"],
        )
        referral = ReferralFactory(
            organisation=org,
            actor=supervisor_a if org == charity_a else supervisor_b,
            source="self_referral",
            summary=f"Referral to {org.name}",
        )
        ids[kind] = {
            "audit-events": AuditEvent.objects.filter(organisation=org).first().public_id,
            "organisations": org.pk,
            "staff": spare[kind].pk,
            "api-keys": key.public_id,
            "referrals": referral.pk,
            "webhooks": subscription.pk,
            "deliveries": subscription.deliveries.get().pk,
        }

    # A proposal in each charity, made by a caseworker: to share a case with a third force
    # without the client's consent (so approving it in a cell finds nothing in its way).
    force_h = PoliceForceFactory()
    for kind, (case_kind, proposer) in {
        "own_org": ("own_case", people["caseworker_assigned"]),
        "other_org": ("other_org_case", caseworker_b),
    }.items():
        proposal = override_propose(
            case=world_cases[case_kind],
            proposed_by=proposer,
            police_force=force_h,
            ground="risk_to_life",
            reason="Threats to kill made on Friday.",
        )
        ids[kind]["approvals"] = proposal.pk

    # Every member of charity staff has a court calendar feed (theirs to reissue or revoke).
    for person in people.values():
        if is_charity_staff(person):
            court.calendar_feed_issue(user=person)

    _, referrals_secret = make_api_key(charity_a, ["referrals:write"])
    _, shared_read_secret = make_api_key(force_f, ["shared-cases:read"])
    _, alerts_secret = make_api_key(charity_a, ["alerts:read", "checker:query"])
    callers = {name: client_for(person) for name, person in people.items()}
    callers["anonymous"] = Api()
    callers["key_referrals"] = client_for_key(referrals_secret)
    callers["key_shared_read"] = client_for_key(shared_read_secret)
    # A members' app names its own user on every call, as the checker requires of a key.
    callers["key_alerts"] = Api()
    callers["key_alerts"].credentials(
        HTTP_AUTHORIZATION=f"Api-Key {alerts_secret}", HTTP_CHECKER_END_USER="member-1"
    )
    people["caseworker_b"] = caseworker_b
    return World(
        callers=callers,
        people=people,
        ids=ids,
        cases=world_cases,
        charity_a=charity_a,
        fresh_client=fresh,
        spare=spare,
    )


# --- requests --------------------------------------------------------------------------------


def url_for(world: World, path: str, kind: str | None) -> str:
    """Each placeholder takes the id of the kind's object named by the segment before it."""

    def fill(match: re.Match) -> str:
        segment = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        try:
            return str(world.ids[kind][segment])
        except KeyError:
            raise LookupError(
                f"no {kind} object for {{{match.group(1)}}} after /{segment}/"
            ) from None

    return PLACEHOLDER.sub(fill, path)


def _org_of(world: World, principal: str):
    person = world.people.get(principal)
    organisation = getattr(person, "organisation", None)
    return organisation or world.charity_a


def _visible_client(world: World, principal: str) -> str:
    if principal == "caseworker_unassigned":
        return str(world.fresh_client.pk)
    kind = "other_org_case" if principal == "other_charity_supervisor" else "own_case"
    return str(world.ids[kind]["clients"])


def _assignable(world: World, principal: str, kind: str) -> str:
    """A member of the caller's organisation not yet assigned to the case."""
    org = "other_org" if principal == "other_charity_supervisor" else "own_org"
    return str(world.spare[org].pk)


def _assigned(world: World, principal: str, kind: str) -> str:
    """A member of the case's charity assigned to the case."""
    if kind == "other_org_case":
        return str(world.people["caseworker_b"].pk)
    return str(world.people["caseworker_assigned"].pk)


def _transition(world: World, principal: str, kind: str) -> dict:
    case = Case.objects.get(pk=world.cases[kind].pk)
    legal = sorted(lifecycles.allowed("support", case.support_status) - {"closed"})
    return {"lifecycle": "support", "to": legal[0], "reason": "Moving on."}


def _staff_new(world: World, principal: str, kind: str) -> dict:
    return {
        "username": f"new.{principal}",
        "email": f"new.{principal}@example.org",
        "role": "caseworker",
        "organisation": str(_org_of(world, principal).pk),
    }


def _api_key_new(world: World, principal: str, kind: str) -> dict:
    organisation = _org_of(world, principal)
    scope = "referrals:write" if organisation.is_charity else "shared-cases:read"
    return {"name": "New system", "scopes": [scope], "organisation": str(organisation.pk)}


def _webhook_new(world: World, principal: str, kind: str) -> dict:
    organisation = _org_of(world, principal)
    event = "referral.received" if organisation.is_charity else "share.started"
    return {"url": "http://127.0.0.1:9/new", "events": [event]}


def _hearing() -> dict:
    return {
        "hearing_type": "first_hearing",
        "court": "Magistrates' Court",
        "starts_at": (timezone.now() + timedelta(days=40)).isoformat(),
    }


NO_BODY = None


class Multipart(dict):
    """A body sent as a multipart form (a file upload), not as JSON."""


def _upload(world: World, principal: str, kind: str) -> Multipart:
    return Multipart(
        file=SimpleUploadedFile("more.txt", b"Another file.\n", content_type="text/plain"),
        kind="evidence",
    )


def _force_f(world: World, principal: str, kind: str) -> dict:
    return {"police_force": str(world.people["police_sharing"].organisation_id)}


# "METHOD path" -> body, or a function (world, principal, kind) -> body.
BODIES = {
    "POST /api/v1/auth/login/": lambda w, p, k: {
        "username": w.spare["own_org"].username,
        "password": PASSWORD,
    },
    "POST /api/v1/auth/logout/": NO_BODY,
    "POST /api/v1/auth/password/": {
        "current_password": PASSWORD,
        "new_password": "a-brand-new-passphrase-2026",
    },
    "POST /api/v1/auth/two-factor/": {"password": PASSWORD},
    "POST /api/v1/auth/set-password/": {
        "uid": "bm90LWEtdXNlcg",
        "token": "not-a-token",
        "new_password": "a-brand-new-passphrase-2026",
    },
    "POST /api/v1/auth/two-factor/confirm/": {"code": "000000"},
    "POST /api/v1/auth/two-factor/disable/": {"password": "not-the-password", "code": "000000"},
    "PATCH /api/v1/organisation-settings/": {"retention_years": 7},
    "POST /api/v1/organisation-settings/retention-proposals/": {
        "retention_years": 3,
        "reason": "The board agreed a shorter period.",
    },
    "POST /api/v1/approvals/{pk}/approve/": NO_BODY,
    "POST /api/v1/cases/{case_id}/alerts/": lambda w, p, k: {
        **_alert_body(w, p, k),
        "happened_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
    },
    "POST /api/v1/cases/{case_id}/alerts/{pk}/submit/": {"reason": "Others should know."},
    "POST /api/v1/cases/{case_id}/alerts/{pk}/redraft/": NO_BODY,
    "POST /api/v1/cases/{case_id}/alerts/{pk}/retract/": NO_BODY,
    "POST /api/v1/checker/": {"kind": "phone", "value": "07700 900555"},
    "POST /api/v1/approvals/{pk}/reject/": {"reason": "Not proportionate yet."},
    "POST /api/v1/approvals/{pk}/withdraw/": NO_BODY,
    "POST /api/v1/cases/{case_id}/consent-overrides/": lambda w, p, k: {
        "police_force": str(w.people["police_other"].organisation_id),
        "ground": "risk_to_life",
        "reason": "Threats to kill made on Friday.",
    },
    "POST /api/v1/cases/{case_id}/consent-overrides/end/": lambda w, p, k: {
        "police_force": str(w.people["police_other"].organisation_id),
        "reason": "The risk has passed.",
    },
    "POST /api/v1/staff/{pk}/reset-two-factor/": NO_BODY,
    "POST /api/v1/clients/{pk}/erase/": {"reason": "The client asked.", "force": True},
    "POST /api/v1/organisations/": {"name": "New Charity", "code": "NEWCH", "kind": "charity"},
    "PATCH /api/v1/organisations/{pk}/": {"name": "Renamed"},
    "POST /api/v1/staff/": _staff_new,
    "PATCH /api/v1/staff/{pk}/": {"first_name": "Renamed"},
    "POST /api/v1/staff/{pk}/activate/": NO_BODY,
    "POST /api/v1/staff/{pk}/deactivate/": NO_BODY,
    "POST /api/v1/staff/{pk}/revoke-tokens/": NO_BODY,
    "POST /api/v1/staff/{pk}/send-password-link/": NO_BODY,
    "POST /api/v1/api-keys/": _api_key_new,
    "POST /api/v1/api-keys/{id}/revoke/": NO_BODY,
    "POST /api/v1/webhooks/": _webhook_new,
    "PATCH /api/v1/webhooks/{pk}/": {"active": False},
    "POST /api/v1/webhooks/{pk}/rotate-secret/": NO_BODY,
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{pk}/redeliver/": NO_BODY,
    "POST /api/v1/referrals/": {"source": "self_referral", "summary": "Needs support."},
    "POST /api/v1/referrals/{pk}/accept/": {"new_client": {"pseudonym": "Accepted"}},
    "POST /api/v1/referrals/{pk}/decline/": {"reason": "out_of_area"},
    "POST /api/v1/clients/": {"pseudonym": "New client"},
    "POST /api/v1/clients/lookup/": {"phone": "07700 900100"},
    "PATCH /api/v1/clients/{pk}/": {"pronouns": "she/her"},
    "POST /api/v1/clients/{client_id}/contact-methods/": {"kind": "mobile", "value": "07700900999"},
    "PATCH /api/v1/clients/{client_id}/contact-methods/{pk}/": {"safe_to_text": True},
    "POST /api/v1/clients/{client_id}/contact-methods/{pk}/retire/": {"reason": "Changed"},
    "POST /api/v1/clients/{client_id}/contact-methods/{pk}/verify/": NO_BODY,
    "POST /api/v1/cases/": lambda w, p, k: {"client": _visible_client(w, p)},
    "PATCH /api/v1/cases/{pk}/": {"risk_level": "high"},
    "POST /api/v1/cases/{pk}/assign/": lambda w, p, k: {"user": _assignable(w, p, k)},
    "POST /api/v1/cases/{pk}/unassign/": lambda w, p, k: {"user": _assigned(w, p, k)},
    "POST /api/v1/cases/{pk}/transitions/": _transition,
    "POST /api/v1/cases/{case_id}/contacts/": lambda w, p, k: {
        "occurred_at": timezone.now().isoformat(),
        "channel": "phone_call",
        "direction": "outbound",
        "outcome": "no_answer",
    },
    "PATCH /api/v1/cases/{case_id}/contacts/{pk}/": {"note": "Put right."},
    "POST /api/v1/cases/{case_id}/notes/": {"body": "x"},
    "POST /api/v1/cases/{case_id}/consents/": {
        "scope": "warn_others",
        "granted": True,
        "method": "verbal",
    },
    "PATCH /api/v1/cases/{case_id}/police-involvement/": {"crime_reference": "CR/0002"},
    "POST /api/v1/cases/{case_id}/court-events/": lambda w, p, k: _hearing(),
    "PATCH /api/v1/cases/{case_id}/court-events/{pk}/": {"court": "Crown Court"},
    "POST /api/v1/cases/{case_id}/decisions/": lambda w, p, k: {
        "kind": "release",
        "decided_on": timezone.localdate().isoformat(),
    },
    "POST /api/v1/cases/{case_id}/decisions/{pk}/client-told/": lambda w, p, k: {
        "told_on": timezone.localdate().isoformat()
    },
    "POST /api/v1/me/calendar-feed/": NO_BODY,
    "POST /api/v1/cases/{case_id}/rights/": lambda w, p, k: {
        "right": "complaint",
        "triggered_on": timezone.localdate().isoformat(),
        "provider": "cps",
    },
    "POST /api/v1/entitlements/{pk}/met/": lambda w, p, k: {
        "met_on": timezone.localdate().isoformat()
    },
    "POST /api/v1/entitlements/{pk}/not-applicable/": {"reason": "The client declined."},
    "POST /api/v1/entitlements/{pk}/acknowledged/": lambda w, p, k: {
        "acknowledged_on": timezone.localdate().isoformat()
    },
    "POST /api/v1/cases/{case_id}/support-plan/needs/": {"need": "housing", "status": "identified"},
    "POST /api/v1/cases/{case_id}/support-plan/safety-plan/": {"description": "Safe word agreed."},
    "PATCH /api/v1/cases/{case_id}/support-plan/safety-plan/{item_id}/": {"description": "x"},
    "POST /api/v1/cases/{case_id}/support-plan/risk-assessments/": lambda w, p, k: {
        "assessed_on": timezone.localdate().isoformat(),
        "level": "medium",
    },
    "POST /api/v1/cases/{case_id}/messages/": lambda w, p, k: {
        "purpose": "appointment",
        "channel": "text",
        "body": "Your appointment is moved to Thursday.",
        "send_after": (timezone.now() + timedelta(hours=3)).isoformat(),
    },
    "POST /api/v1/cases/{case_id}/messages/{pk}/cancel/": NO_BODY,
    "PATCH /api/v1/cases/{case_id}/messages/{pk}/": {"body": "Changed."},
    "POST /api/v1/reminders/{pk}/complete/": NO_BODY,
    "POST /api/v1/reminders/{pk}/snooze/": lambda w, p, k: {
        "until": (timezone.now() + timedelta(days=2)).isoformat(),
        "reason": "Client is away until Thursday.",
    },
    "PATCH /api/v1/reminder-policy/": {"no_contact_after_days": 12},
    "PATCH /api/v1/me/reminder-preferences/": {"email_each": True},
    "POST /api/v1/shared-cases/{shared_case_id}/court-events/": lambda w, p, k: _hearing(),
    "PATCH /api/v1/shared-cases/{pk}/police-involvement/": {
        "investigation_status": "investigating"
    },
    "POST /api/v1/shared-cases/{shared_case_id}/updates/": {"kind": "investigation", "body": "x"},
    "POST /api/v1/cases/{case_id}/attachments/": _upload,
    "PATCH /api/v1/cases/{case_id}/attachments/{pk}/": {"description": "Her letter."},
    "POST /api/v1/cases/{case_id}/attachments/{pk}/retire/": NO_BODY,
    "POST /api/v1/cases/{case_id}/attachments/{pk}/share/": _force_f,
    "POST /api/v1/cases/{case_id}/attachments/{pk}/unshare/": _force_f,
    "POST /api/v1/shared-cases/{shared_case_id}/contact-requests/": (
        lambda w, p, k: _contact_request_body()
    ),
    "POST /api/v1/shared-cases/{shared_case_id}/contact-requests/{pk}/withdraw/": NO_BODY,
    "POST /api/v1/cases/{case_id}/contact-requests/{pk}/answer/": {"outcome": "declined"},
    "POST /api/v1/shared-cases/{shared_case_id}/records-requests/": {
        "material": "Notes of the night.",
        "line_of_enquiry": "Where the suspect went.",
        "necessity": "No other record.",
        "proportionality": "One night only.",
    },
    "POST /api/v1/cases/{case_id}/records-requests/{pk}/client-told/": lambda w, p, k: {
        "told_on": timezone.localdate().isoformat()
    },
    "POST /api/v1/cases/{case_id}/records-requests/{pk}/decide/": {
        "decision": "refuse",
        "reason": "Not relevant to the line of enquiry.",
        "reason_for_police": "Refused: not relevant.",
    },
}


def body_for(world: World, cell: Cell):
    key = f"{cell.method} {cell.path}"
    if cell.method in ("GET", "DELETE", "PUT") and key not in BODIES:
        return NO_BODY
    if key not in BODIES:
        raise LookupError(f"no request body written for {key} (add one to BODIES)")
    body = BODIES[key]
    return body(world, cell.principal, cell.kind) if callable(body) else body


# A well-formed ETag naming no record, for a caller who could not read the one they edit.
UNREAD = '"unread-0"'


def current_etag(api, url: str) -> str:
    """The ETag an edit of ``url`` must send, read as the caller would: from the record's own
    ``GET``, or for a safety-plan item from the plan that lists it."""
    head, marker, tail = url.partition("/safety-plan/")
    if marker and tail.strip("/"):
        plan = api.get(head + "/")
        items = plan.json().get("safety_plan", []) if plan.status_code == 200 else []
        tags = {str(item["id"]): item["etag"] for item in items}
        return tags.get(tail.strip("/"), UNREAD)
    return api.get(url).get("ETag") or UNREAD


def send(world: World, cell: Cell, *, if_match: bool = True) -> tuple[int, str]:
    """Sends one cell's request inside a savepoint that is always rolled back; returns the status
    and a note on the answer (the error code, or how many items a list that should be empty
    held). An edit sends the ETag its caller reads first, unless ``if_match`` is false."""
    with transaction.atomic():
        try:
            url = url_for(world, cell.path, cell.kind)
            body = body_for(world, cell)
            api = world.callers[cell.principal]
            call = getattr(api, cell.method.lower())
            extra = {}
            if cell.method in ("PATCH", "PUT") and if_match:
                extra["HTTP_IF_MATCH"] = current_etag(api, url)
            fmt = "multipart" if isinstance(body, Multipart) else "json"
            response = (
                call(url, body, format=fmt, **extra) if body is not None else call(url, **extra)
            )
        finally:
            # Marked last: a block marked for rollback refuses further queries.
            transaction.set_rollback(True)
    data = response.json() if response.get("Content-Type") == "application/json" else None
    note = ""
    if response.status_code >= 400 and isinstance(data, dict):
        note = data.get("code", "")
    elif cell.empty:
        items = data.get("results") if isinstance(data, dict) else data
        if not isinstance(items, list):
            note = "not a list"
        elif items:
            note = f"{len(items)} items where none should be"
    return response.status_code, note


# --- the test --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_every_route_answers_every_principal_as_the_matrix_says(attachment_storage):
    problems: list[str] = []
    routes = api_routes(problems)
    written, unrouted, cells = load_matrix(problems)
    problems += coverage_problems(routes, written, unrouted)

    world = build_world()
    mismatches = []
    unconditional: list[str] = []
    run = 0
    for cell in cells:
        try:
            status, code = send(world, cell)
        except LookupError as error:
            problem = f"{cell.method} {cell.path}: {error}"
            if problem not in problems:
                problems.append(problem)
            continue
        run += 1
        if status != cell.expected or (cell.empty and code):
            mismatches.append((cell, status, code))
        if cell.method in ("PATCH", "PUT") and 200 <= cell.expected < 300:
            # Every edit its caller may make is refused without If-Match, changing nothing.
            status, code = send(world, cell, if_match=False)
            if (status, code) != (428, "precondition_required"):
                unconditional.append(f"{cell.method} {cell.path} {cell.principal}: got {status}")

    print(
        f"\npermission matrix: {run} of {len(cells)} cells run; {len(written)} (route, method)"
        f" pairs on {len(routes)} routes under {API_PREFIX}, plus {len(unrouted)} unrouted probes"
    )
    report = [
        f"{c.method} {c.path} {c.principal} {c.kind or '-'}: expected {c.expected}"
        + (" (empty)" if c.empty else "")
        + f", got {s}"
        + (f" ({code})" if code else "")
        for c, s, code in mismatches
    ]
    for line in problems + report:
        print(line)
    assert not problems, "\n".join(problems)
    assert not report, f"{len(report)} cells differ from matrix.yaml:\n" + "\n".join(report)
    assert not unconditional, "edits accepted without If-Match:\n" + "\n".join(unconditional)
