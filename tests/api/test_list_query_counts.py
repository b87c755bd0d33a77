"""The lists beyond the core (``test_query_counts.py``): police's shared cases and their parts,
reminders, the audit trail, messages, the consent ledger, hearings, decisions, entitlements, the
caseload and the timeline. Each costs a pinned number of queries for a page of one row, and the
same for a page of twenty rows written by different people: no query per row, ever.

A request starts with signing in: one query for the token, the person, their organisation and
their groups (``test_request_fixed_cost``).
Lists of personal data are audited, one event per request (AUDITED_READ)."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from casework.alerts.services import alert_draft
from casework.attachments.services import attachment_share, attachment_upload
from casework.cases import timeline
from casework.contact_requests.services import contact_request_answer, contact_request_create
from casework.court.services import decision_record
from casework.disclosures.services import record_disclosure, records_request_make
from casework.reminders.choices import ReminderKind
from casework.reminders.messages import message_plan
from casework.reminders.models import Reminder
from casework.sharing.overrides import override_propose
from casework.sharing.services import police_update_post
from casework.webhooks.services import subscription_create

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    CourtEventFactory,
    OrganisationFactory,
    ReferralFactory,
    SharedCaseFactory,
    UserFactory,
)
from .test_query_counts import AUDITED_READ, LISTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

SIGNED_IN = 1
ROWS = 20


@dataclass
class World:
    charity: object
    caseworker: object
    supervisor: object
    superuser: object
    police_force: object
    police: object
    colleagues: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    shares: list = field(default_factory=list)

    def staff(self, i):
        """Spreads authors and assignees over several people, so a query per person shows."""
        everyone = [self.caseworker, *self.colleagues]
        return everyone[i % len(everyone)]

    def case(self, i=0):
        """The ``i``-th case, opened by the caseworker with a colleague assigned beside them."""
        while len(self.cases) <= i:
            n = len(self.cases)
            self.cases.append(
                CaseFactory(
                    opened_by=self.caseworker,
                    pseudonym=f"Client {n}",
                    assigned_to=[self.caseworker, self.staff(n)],
                )
            )
        return self.cases[i]

    def share(self, i=0):
        """The ``i``-th case shared (identified) with the force."""
        while len(self.shares) <= i:
            n = len(self.shares)
            self.shares.append(SharedCaseFactory(case=self.case(n), police_force=self.police_force))
        return self.shares[i]


@pytest.fixture
def world(charity, caseworker, supervisor, superuser, police_force, police_liaison):
    return World(
        charity=charity,
        caseworker=caseworker,
        supervisor=supervisor,
        superuser=superuser,
        police_force=police_force,
        police=police_liaison,
        colleagues=[UserFactory(organisation=charity) for _ in range(3)],
    )


# --- builders: each adds ``count`` rows to the list under test and returns its URL ------------


def add_organisations(world, start, count):
    for _ in range(count):
        OrganisationFactory()
    return "/api/v1/organisations/"


def add_shared_cases(world, start, count):
    for i in range(start, start + count):
        world.share(i)
    return "/api/v1/shared-cases/"


def add_ended_shares(world, start, count):
    for i in range(start, start + count):
        share = world.share(i)
        ConsentDecisionFactory(
            case=share.case,
            scope="share_with_police",
            granted=False,
            police_force=world.police_force,
        )
    return "/api/v1/shared-cases/ended/"


def add_shared_updates(world, start, count):
    share = world.share()
    for i in range(start, start + count):
        police_update_post(
            shared_case=share, author=world.police, kind="investigation", body=f"Update {i}"
        )
    return f"/api/v1/shared-cases/{share.id}/updates/"


def add_shared_court_events(world, start, count):
    share = world.share()
    for i in range(start, start + count):
        CourtEventFactory(
            case=share.case,
            actor=world.caseworker,
            starts_at=timezone.now() + timedelta(days=10 + i),
        )
    return f"/api/v1/shared-cases/{share.id}/court-events/"


def _contact_requests(world, start, count):
    """Requests on one share, answered by different members of staff: the first (and every
    other) agreed to through the charity, whose contact is looked up once a page, the rest
    declined."""
    share = world.share()
    for i in range(start, start + count):
        request = contact_request_create(
            shared_case=share,
            requested_by=world.police,
            purpose="take_statement",
            explanation=f"Statement {i}",
            urgency="routine",
            preferred_contact="phone_call",
            window_from=timezone.now(),
            window_until=timezone.now() + timedelta(days=5),
        )
        answer = {"outcome": "declined"}
        if i % 2 == 0:
            answer = {"outcome": "agreed", "route": "through_charity"}
        contact_request_answer(contact_request=request, answered_by=world.staff(i), **answer)
    return share


def add_force_contact_requests(world, start, count):
    share = _contact_requests(world, start, count)
    return f"/api/v1/shared-cases/{share.id}/contact-requests/"


def add_case_contact_requests(world, start, count):
    share = _contact_requests(world, start, count)
    return f"/api/v1/cases/{share.case_id}/contact-requests/"


def add_disclosures(world, start, count):
    case = world.case()
    basis = ConsentDecisionFactory(case=case, recorded_by=world.caseworker)
    for i in range(start, start + count):
        record_disclosure(
            case=case,
            kind="webhook_delivery",
            recipient=world.police_force,
            content=f'{{"delivery": {i}}}',
            actor=world.staff(i % 2),
            consent_decision=basis,
        )
    return f"/api/v1/cases/{case.id}/disclosures/"


def _attachments(world, start, count, *, shared: bool):
    share = world.share()
    for i in range(start, start + count):
        attachment = attachment_upload(
            case=share.case,
            uploaded_by=world.staff(i % 2),
            data=f"File {i}.\n".encode(),
            name=f"file-{i}.txt",
            declared_type="text/plain",
            kind="evidence",
        )
        if shared:
            attachment_share(
                attachment=attachment,
                police_force=share.police_force_id,
                shared_by=world.caseworker,
            )
    return share


def add_case_attachments(world, start, count):
    share = _attachments(world, start, count, shared=False)
    return f"/api/v1/cases/{share.case_id}/attachments/"


def add_shared_attachments(world, start, count):
    share = _attachments(world, start, count, shared=True)
    return f"/api/v1/shared-cases/{share.id}/attachments/"


def _records_requests(world, start, count):
    share = world.share()
    for i in range(start, start + count):
        records_request_make(
            shared_case=share,
            requested_by=world.police,
            material=f"The notes of night {i}.",
            line_of_enquiry="Where the suspect went.",
            necessity="No other record.",
            proportionality="One night only.",
        )
    return share


def add_case_records_requests(world, start, count):
    return f"/api/v1/cases/{_records_requests(world, start, count).case_id}/records-requests/"


def add_shared_records_requests(world, start, count):
    return f"/api/v1/shared-cases/{_records_requests(world, start, count).id}/records-requests/"


def _reminders_for(world, person, start, count, case_of):
    for i in range(start, start + count):
        Reminder.objects.create(
            kind=ReminderKind.NO_RECENT_CONTACT,
            dedup_key=f"counts:{person.pk}:{i}",
            organisation=world.charity,
            case=case_of(i),
            assignee=person,
            due_at=timezone.now() - timedelta(hours=i + 1),
        )


def add_reminders(world, start, count):
    _reminders_for(world, world.caseworker, start, count, lambda i: world.case(i % 4))
    return "/api/v1/reminders/"


def add_team_reminders(world, start, count):
    for i in range(start, start + count):
        _reminders_for(world, world.staff(i), i, 1, lambda i: world.case(i % 4))
    return "/api/v1/reminders/"


def add_audit_events(world, start, count):
    for i in range(start, start + count):
        world.case(i)
    return "/api/v1/audit-events/"


def add_messages(world, start, count):
    case = world.case()
    for i in range(start, start + count):
        message_plan(
            case=case,
            author=world.staff(i % 2),
            purpose="appointment",
            channel="text",
            body=f"See you at the drop-in ({i}).",
            send_after=timezone.now() + timedelta(days=1, minutes=i),
        )
    return f"/api/v1/cases/{case.id}/messages/"


def add_consents(world, start, count):
    case = world.case()
    for i in range(start, start + count):
        ConsentDecisionFactory(case=case, recorded_by=world.staff(i % 2))
    return f"/api/v1/cases/{case.id}/consents/"


def add_court_events(world, start, count):
    case = world.case()
    for i in range(start, start + count):
        CourtEventFactory(
            case=case, actor=world.staff(i % 2), starts_at=timezone.now() + timedelta(days=5 + i)
        )
    return f"/api/v1/cases/{case.id}/court-events/"


def _decisions(world, start, count, case_of):
    for i in range(start, start + count):
        decision_record(
            case=case_of(i),
            actor=world.caseworker,
            kind="arrest",
            decided_on=timezone.localdate() - timedelta(days=i),
        )


def add_decisions(world, start, count):
    _decisions(world, start, count, lambda i: world.case())
    return f"/api/v1/cases/{world.case().id}/decisions/"


def add_entitlements(world, start, count):
    _decisions(world, start, count, lambda i: world.case(i % 4))
    return "/api/v1/entitlements/"


def add_caseload(world, start, count):
    for i in range(start, start + count):
        case = world.case(i)
        CourtEventFactory(case=case, actor=world.caseworker)
    return "/api/v1/caseload/"


def add_timeline(world, start, count):
    case = world.case()
    for i in range(start, start + count):
        ConsentDecisionFactory(case=case, recorded_by=world.staff(i % 2))
    return f"/api/v1/cases/{case.id}/timeline/"


def add_approvals(world, start, count):
    for i in range(start, start + count):
        override_propose(
            case=world.case(i),
            proposed_by=world.staff(i),
            police_force=world.police_force,
            ground="person_at_risk",
            reason=f"A child is in the house ({i}).",
        )
    return "/api/v1/approvals/"


def add_case_alerts(world, start, count):
    case = world.case()
    if start == 0:
        world.charity.areas = ["Holbeck"]
        world.charity.save(update_fields=["areas"])
        ConsentDecisionFactory(case=case, scope="store_records")
        ConsentDecisionFactory(case=case, scope="warn_others")
    for i in range(start, start + count):
        alert_draft(
            case=case,
            by=world.staff(i),
            what_happened=f"Refused to pay ({i}).",
            area="Holbeck",
            happened_on=timezone.localdate(),
            identifiers=[{"kind": "phone", "value": f"07700 900{500 + i}"}],
        )
    return f"/api/v1/cases/{case.id}/alerts/"


# (URL name, builder, who looks, queries for a page of one row). The force's group is read with
# the sign-in, and a police read goes into the owning charity's chain; a read of an unaudited
# list (organisations, ended shares) writes nothing. A page of contact requests looks up the
# charity's contact (the case's person) once, for every answer on it that names the charity.
EXTRA_LISTS = [
    ("organisation-list", add_organisations, "superuser", SIGNED_IN + 1),
    ("shared-case-list", add_shared_cases, "police", SIGNED_IN + 1 + AUDITED_READ),
    ("shared-case-ended", add_ended_shares, "police", SIGNED_IN + 1),
    ("shared-case-update-list", add_shared_updates, "police", SIGNED_IN + 2 + AUDITED_READ),
    ("shared-case-court-events", add_shared_court_events, "police", SIGNED_IN + 2 + AUDITED_READ),
    (
        "shared-case-contact-request-list",
        add_force_contact_requests,
        "police",
        SIGNED_IN + 3 + AUDITED_READ,
    ),
    (
        "case-contact-request-list",
        add_case_contact_requests,
        "caseworker",
        SIGNED_IN + 3 + AUDITED_READ,
    ),
    ("case-disclosure-list", add_disclosures, "caseworker", SIGNED_IN + 2 + AUDITED_READ),
    ("case-attachment-list", add_case_attachments, "caseworker", SIGNED_IN + 2 + AUDITED_READ),
    (
        "shared-case-attachment-list",
        add_shared_attachments,
        "police",
        SIGNED_IN + 2 + AUDITED_READ,
    ),
    (
        "case-records-request-list",
        add_case_records_requests,
        "caseworker",
        SIGNED_IN + 2 + AUDITED_READ,
    ),
    (
        "shared-case-records-request-list",
        add_shared_records_requests,
        "police",
        SIGNED_IN + 2 + AUDITED_READ,
    ),
    ("reminder-list", add_reminders, "caseworker", SIGNED_IN + 1 + AUDITED_READ),
    ("reminder-list (team)", add_team_reminders, "supervisor", SIGNED_IN + 1 + AUDITED_READ),
    ("audit-event-list", add_audit_events, "supervisor", SIGNED_IN + 1),
    ("approval-list", add_approvals, "supervisor", SIGNED_IN + 1 + AUDITED_READ),
    # The case, the page (with its authors, reviewers and proposals), then its identifiers.
    ("case-alert-list", add_case_alerts, "caseworker", SIGNED_IN + 3 + AUDITED_READ),
    ("case-message-list", add_messages, "caseworker", SIGNED_IN + 2 + AUDITED_READ),
    ("case-consents", add_consents, "caseworker", SIGNED_IN + 3 + AUDITED_READ),
    ("case-court-event-list", add_court_events, "caseworker", SIGNED_IN + 4 + AUDITED_READ),
    ("case-decision-list", add_decisions, "caseworker", SIGNED_IN + 2 + AUDITED_READ),
    ("entitlement-list", add_entitlements, "caseworker", SIGNED_IN + 1 + AUDITED_READ),
    # The page of cases in order, then the pseudonyms of its clients.
    ("caseload", add_caseload, "caseworker", SIGNED_IN + 2 + AUDITED_READ),
    # One query per kind of event (a source), past the cursor.
    (
        "case-timeline",
        add_timeline,
        "caseworker",
        SIGNED_IN + 2 + len(timeline.SOURCES) + AUDITED_READ,
    ),
]


def _subscribe(world):
    subscription, _ = subscription_create(
        organisation=world.charity,
        by=world.supervisor,
        url="http://127.0.0.1:9/hooks",
        events=["referral.received"],
    )
    return subscription


def add_webhooks(world, start, count):
    for _ in range(count):
        _subscribe(world)
    return "/api/v1/webhooks/"


def add_webhook_deliveries(world, start, count):
    if not hasattr(world, "subscription"):
        world.subscription = _subscribe(world)
    for i in range(start, start + count):
        ReferralFactory(
            organisation=world.charity,
            actor=world.staff(i),
            source="self_referral",
            summary=f"Referral {i}",
        )
    return f"/api/v1/webhooks/{world.subscription.pk}/deliveries/"


# The webhook lists: the subscriptions (unaudited: no personal data), and one subscription's
# delivery log after finding the subscription.
EXTRA_LISTS += [
    ("webhook-list", add_webhooks, "supervisor", SIGNED_IN + 1),
    ("webhook-delivery-list", add_webhook_deliveries, "supervisor", SIGNED_IN + 2),
]


def _page(url, page_size):
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}page_size={page_size}"


def _rows(body):
    return body["results"] if isinstance(body, dict) and "results" in body else body


def _count(body):
    """Rows in a page; the consent ledger counts its history."""
    if isinstance(body, dict) and "history" in body:
        return len(body["history"])
    return len(_rows(body))


@pytest.mark.parametrize(
    "build,viewer,expected",
    [entry[1:] for entry in EXTRA_LISTS],
    ids=[entry[0] for entry in EXTRA_LISTS],
)
def test_a_list_costs_the_same_queries_for_one_row_as_for_twenty(
    world, build, viewer, expected, django_assert_num_queries
):
    url = _page(build(world, 0, 1), 50)
    # A fresh sign-in for each measurement, so a token refresh never lands inside one.
    api = client_for(getattr(world, viewer))
    with django_assert_num_queries(expected) as one_row:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    few = _count(response.json())
    assert few >= 1

    build(world, 1, ROWS - 1)
    api = client_for(getattr(world, viewer))
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = api.get(url)
    assert response.status_code == 200, response.json()
    assert _count(response.json()) >= few + ROWS - 1


def _list_routes() -> set[str]:
    """The names of every list route under /api/v1/ (the router's ``-list``)."""
    names = set()
    for pattern in get_resolver().reverse_dict:
        if isinstance(pattern, str) and pattern.endswith("-list"):
            names.add(pattern)
    return names


def test_every_list_endpoint_is_measured():
    """A new list must be measured here or in ``test_query_counts.py`` (or this test changed)."""
    core = {
        "cases": "case-list",
        "clients": "client-list",
        "referrals": "referral-list",
        "contact-methods": "client-contact-method-list",
        "contacts": "case-contact-list",
        "notes": "case-note-list",
        "staff": "staff-list",
        "api-keys": "api-key-list",
    }
    # The alert feed is read with an API key: measured in tests/api/alerts/test_feed.py.
    elsewhere = {"alert-list"}
    measured = (
        {core.get(name, name) for name, *_ in LISTS}
        | {name.split(" ")[0] for name, *_ in EXTRA_LISTS}
        | elsewhere
    )
    assert _list_routes() - measured == set()
