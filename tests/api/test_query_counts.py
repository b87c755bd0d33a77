"""Every list endpoint of the core costs the same number of queries for 1 row as for 50, and
every detail endpoint a fixed number: no query per row, ever.

The expected counts are written down, so that a change in them shows up here and is a decision,
not an accident. A request is one query to authenticate (the token, the person, their
organisation and their groups together: ``test_request_fixed_cost``), then the endpoint's own."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.cases import timeline
from casework.cases.models import CaseTransition, ContactLogEntry, Note
from casework.cases.services.cases import case_assign, case_transition
from casework.cases.services.contacts import note_add
from casework.contact_requests.services import contact_request_answer, contact_request_create

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    IsvaFactory,
    PoliceLiaisonFactory,
    ReferralFactory,
    SharedCaseFactory,
    UserFactory,
    make_api_key,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """What a test builds on: the charity, a caseworker with colleagues, and a supervisor."""

    charity: object
    caseworker: object
    supervisor: object
    colleagues: list
    case: object = None

    def staff(self, i):
        """Spreads authors and assignees over several people, so a query per person shows."""
        everyone = [self.caseworker, *self.colleagues]
        return everyone[i % len(everyone)]

    def new_case(self, i=0):
        return CaseFactory(
            opened_by=self.caseworker,
            pseudonym=f"Client {i}",
            assigned_to=[self.caseworker, self.staff(i)],
        )

    def the_case(self):
        if self.case is None:
            self.case = self.new_case()
        return self.case


@pytest.fixture
def world(charity, caseworker, supervisor):
    return World(
        charity=charity,
        caseworker=caseworker,
        supervisor=supervisor,
        colleagues=[UserFactory(organisation=charity) for _ in range(3)],
    )


# --- builders: each adds ``count`` rows to the list under test and returns the list's URL -----


def add_cases(world, start, count):
    for i in range(start, start + count):
        world.new_case(i)
    return "/api/v1/cases/"


def add_clients(world, start, count):
    for i in range(start, start + count):
        world.new_case(i)
    return "/api/v1/clients/"


def add_referrals(world, start, count):
    for i in range(start, start + count):
        ReferralFactory(
            organisation=world.charity,
            actor=world.staff(i),
            source="outreach",
            summary=f"Referral {i}",
            offence_types=["theft"],
        )
    return "/api/v1/referrals/"


def add_contact_methods(world, start, count):
    client = world.the_case().client
    for i in range(start, start + count):
        ContactMethodFactory(
            client=client,
            created_by=world.staff(i),
            kind="mobile",
            value=f"07700 900{i:03d}",
            safe_times=[{"days": ["mon", "tue"], "from": "10:00", "to": "16:00"}],
        )
    return f"/api/v1/clients/{client.id}/contact-methods/"


def add_contacts(world, start, count):
    case = world.the_case()
    method = ContactMethodFactory(
        client=case.client,
        created_by=world.caseworker,
        kind="mobile",
        value=f"07700 901{start:03d}",
    )
    now = timezone.now()
    for i in range(start, start + count):
        ContactLogEntryFactory(
            case=case,
            recorded_by=world.staff(i),
            occurred_at=now - timedelta(minutes=i),
            channel="phone_call",
            direction="outbound",
            outcome="no_answer",
            contact_method=method,
            note=f"Attempt {i}",
        )
    return f"/api/v1/cases/{case.id}/contacts/"


def add_notes(world, start, count):
    case = world.the_case()
    for i in range(start, start + count):
        note_add(case=case, author=world.staff(i), body=f"Note {i}", visibility="internal")
    return f"/api/v1/cases/{case.id}/notes/"


def add_transitions(world, start, count):
    case = world.the_case()
    for i in range(start, start + count):
        # referred → active, then back and forth between paused and active.
        to = "active" if i % 2 == 0 else "paused"
        case = case_transition(
            case=case, actor=world.staff(i), lifecycle="support", to=to, reason=f"Step {i}"
        )
    return f"/api/v1/cases/{case.id}/transitions/"


def add_staff(world, start, count):
    for _ in range(count):
        IsvaFactory(organisation=world.charity)
    return "/api/v1/staff/?role=isva"


def add_api_keys(world, start, count):
    for _ in range(count):
        make_api_key(world.charity, created_by=world.supervisor)
    return "/api/v1/api-keys/"


# (name, builder, who looks, queries for the one-row page: authentication takes one, groups
# included). Lists of personal data are
# audited, one event per request: its savepoint, the chain's lock with its tail (one round
# trip), the insert and the release.
AUDITED_READ = 4
LISTS = [
    # The case list's assignments come in its own statement (an array built by PostgreSQL).
    ("cases", add_cases, "caseworker", 2 + AUDITED_READ),
    ("clients", add_clients, "caseworker", 2 + AUDITED_READ),
    ("referrals", add_referrals, "caseworker", 2 + AUDITED_READ),
    ("contact-methods", add_contact_methods, "caseworker", 3 + AUDITED_READ),
    ("contacts", add_contacts, "caseworker", 3 + AUDITED_READ),
    ("notes", add_notes, "caseworker", 3 + AUDITED_READ),
    ("transitions", add_transitions, "caseworker", 4 + AUDITED_READ),
    ("staff", add_staff, "supervisor", 2),
    ("api-keys", add_api_keys, "supervisor", 2),
]


def _page(url, page_size):
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}page_size={page_size}"


@pytest.mark.parametrize(
    "build,viewer,expected", [entry[1:] for entry in LISTS], ids=[entry[0] for entry in LISTS]
)
def test_a_list_costs_the_same_queries_for_one_row_as_for_fifty(
    world, build, viewer, expected, django_assert_num_queries
):
    url = _page(build(world, 0, 1), 50)
    # A fresh sign-in for each measurement, so a token refresh never lands inside one.
    api = client_for(getattr(world, viewer))
    with django_assert_num_queries(expected) as one_row:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    assert len(response.json()["results"]) == 1

    build(world, 1, 49)
    api = client_for(getattr(world, viewer))
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = api.get(url)
    assert response.status_code == 200, response.json()
    assert len(response.json()["results"]) == 50


def test_every_core_list_endpoint_is_measured():
    """A new list under the core's routes must be added to LISTS (or this test changed)."""
    measured = {name for name, *_ in LISTS}
    assert measured == {
        "cases",
        "clients",
        "referrals",
        "contact-methods",
        "contacts",
        "notes",
        "transitions",
        "staff",
        "api-keys",
    }


# --- detail endpoints -----------------------------------------------------------------------


def case_detail(world):
    case = world.the_case()
    return "caseworker", f"/api/v1/cases/{case.id}/"


def client_detail(world):
    return "caseworker", f"/api/v1/clients/{world.the_case().client_id}/"


def referral_detail(world):
    referral = ReferralFactory(
        organisation=world.charity, actor=world.caseworker, source="outreach", summary="Detail"
    )
    return "caseworker", f"/api/v1/referrals/{referral.id}/"


def contact_method_detail(world):
    client = world.the_case().client
    method = ContactMethodFactory(
        client=client, created_by=world.caseworker, kind="mobile", value="07700 900999"
    )
    return "caseworker", f"/api/v1/clients/{client.id}/contact-methods/{method.id}/"


def contact_detail(world):
    add_contacts(world, 0, 1)
    entry = ContactLogEntry.objects.get()
    return "caseworker", f"/api/v1/cases/{entry.case_id}/contacts/{entry.id}/"


def note_detail(world):
    add_notes(world, 0, 1)
    note = Note.objects.get()
    return "caseworker", f"/api/v1/cases/{note.case_id}/notes/{note.id}/"


def staff_detail(world):
    return "supervisor", f"/api/v1/staff/{world.caseworker.id}/"


def api_key_detail(world):
    api_key, _ = make_api_key(world.charity, created_by=world.supervisor)
    return "supervisor", f"/api/v1/api-keys/{api_key.public_id}/"


def timeline_detail(world):
    add_transitions(world, 0, 1)
    add_notes(world, 0, 1)
    assert CaseTransition.objects.exists()
    return "caseworker", f"/api/v1/cases/{world.case.id}/timeline/"


def contact_request_detail(world):
    case = world.the_case()
    share = SharedCaseFactory(case=case)
    request = contact_request_create(
        shared_case=share,
        requested_by=PoliceLiaisonFactory(organisation=share.police_force),
        purpose="other",
        explanation="Detail",
        urgency="routine",
        preferred_contact="at_charity",
        window_from=timezone.now(),
        window_until=timezone.now() + timedelta(days=2),
    )
    contact_request_answer(
        contact_request=request,
        answered_by=world.caseworker,
        outcome="agreed",
        route="meeting_at_charity",
    )
    return "caseworker", f"/api/v1/cases/{case.id}/contact-requests/{request.id}/"


# (name, builder, queries). Every read of personal data is audited (AUDITED_READ more).
DETAILS = [
    ("case", case_detail, 3 + AUDITED_READ),
    ("client", client_detail, 3 + AUDITED_READ),
    ("referral", referral_detail, 4 + AUDITED_READ),
    ("contact-method", contact_method_detail, 3 + AUDITED_READ),
    ("contact", contact_detail, 3 + AUDITED_READ),
    ("note", note_detail, 3 + AUDITED_READ),
    ("staff", staff_detail, 2),
    ("api-key", api_key_detail, 2),
    # The case, the request with what it names, and the case's person for the charity's contact.
    ("contact-request", contact_request_detail, 4 + AUDITED_READ),
    ("timeline", timeline_detail, 3 + len(timeline.SOURCES) + AUDITED_READ),
]


@pytest.mark.parametrize(
    "build,expected", [entry[1:] for entry in DETAILS], ids=[entry[0] for entry in DETAILS]
)
def test_a_detail_costs_a_fixed_number_of_queries(
    world, build, expected, django_assert_num_queries
):
    viewer, url = build(world)
    api = client_for(getattr(world, viewer))
    with django_assert_num_queries(expected):
        response = api.get(url)
    assert response.status_code == 200, response.json()


def test_a_case_detail_costs_the_same_whatever_the_number_of_assignees(
    world, django_assert_num_queries
):
    few = world.new_case(0)
    many = world.new_case(1)
    for extra in [*world.colleagues, *(UserFactory(organisation=world.charity) for _ in range(5))]:
        if extra.pk not in set(many.assignments.values_list("user_id", flat=True)):
            many = case_assign(case=many, user=extra, assigned_by=world.supervisor)
    assert many.assignments.count() == 9
    api = client_for(world.caseworker)
    with django_assert_num_queries(DETAILS[0][2]) as one:
        first = api.get(f"/api/v1/cases/{few.id}/")
    with django_assert_num_queries(len(one.captured_queries)):
        second = api.get(f"/api/v1/cases/{many.id}/")
    assert len(first.json()["assignments"]) == 1
    assert len(second.json()["assignments"]) == 9
