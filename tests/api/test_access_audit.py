"""Every look at personal data is accounted for: one audit event per request naming what it
showed, police reads of a shared case in the owning charity's chain where its supervisors can
see them, and an access log per case and per client that is itself audited."""

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.services.cases import case_create
from casework.cases.services.contacts import note_add
from casework.clients.services import client_create

from ..conftest import client_for, client_for_key
from ..factories import (
    ContactMethodFactory,
    CourtEventFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
    make_api_key,
)
from .police_sharing.world import open_case, post_update

pytestmark = pytest.mark.django_db


def events_after(mark: int, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark, **filters).order_by("id"))


def mark() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


@pytest.fixture
def case(caseworker):
    return open_case(caseworker)


@pytest.fixture
def share(case, police_force):
    return SharedCaseFactory(case=case, police_force=police_force)


# --- police reads land in the charity's chain ---------------------------------------------


def test_a_police_read_of_a_share_is_an_event_in_the_charitys_chain_naming_share_and_force(
    share, case, charity, police_force, police_liaison, as_police
):
    before = mark()
    assert as_police.get(f"/api/v1/shared-cases/{share.id}/").status_code == 200
    [event] = events_after(before)
    assert event.action == "shared_case.read"
    assert event.chain == str(charity.pk)
    assert event.organisation_id == charity.pk
    assert event.actor_id == police_liaison.pk
    assert event.actor_organisation_id == police_force.pk
    assert event.case_id == case.pk
    assert event.client_id == case.client_id
    assert event.detail["shares"] == [share.share_reference]
    assert event.detail["police_force"] == str(police_force.pk)
    assert not AuditEvent.objects.filter(chain=str(police_force.pk), id__gt=before).exists()


def test_the_charity_supervisor_finds_police_reads_by_case_by_force_and_in_the_access_log(
    share, case, police_force, police_liaison, as_police, as_supervisor
):
    as_police.get("/api/v1/shared-cases/")
    as_police.get(f"/api/v1/shared-cases/{share.id}/")
    as_police.get(f"/api/v1/shared-cases/{share.id}/updates/")
    as_police.get(f"/api/v1/shared-cases/{share.id}/court-events/")
    police_actions = [
        "shared_case.list",
        "shared_case.read",
        "shared_case.updates.read",
        "shared_case.court_events.read",
    ]

    by_case = as_supervisor.get(f"/api/v1/audit-events/?case={case.id}&page_size=100").json()
    police = [e for e in by_case["results"] if e["actor"] == str(police_liaison.pk)]
    assert sorted(e["action"] for e in police) == sorted(police_actions)
    for entry in police:
        assert entry["actor_organisation"]["id"] == str(police_force.pk)
        assert entry["actor_organisation"]["kind"] == "police"

    by_force = as_supervisor.get(f"/api/v1/audit-events/?force={police_force.pk}").json()
    assert sorted(e["action"] for e in by_force["results"]) == sorted(police_actions)

    log = as_supervisor.get(f"/api/v1/cases/{case.id}/access-log/?page_size=100")
    assert log.status_code == 200, log.json()
    seen = [e for e in log.json()["results"] if e["actor"] == str(police_liaison.pk)]
    assert sorted(e["action"] for e in seen) == sorted(police_actions)
    assert {e["actor_organisation"]["name"] for e in seen} == {police_force.name}


def test_a_page_of_shares_from_two_charities_is_one_event_in_each_charitys_chain(
    as_caseworker, case, police_force, police_liaison, as_police, charity
):
    other_charity = OrganisationFactory()
    other_worker = UserFactory(organisation=other_charity)
    other_case = open_case(other_worker)
    SharedCaseFactory(case=case, police_force=police_force)
    SharedCaseFactory(case=other_case, police_force=police_force, level="anonymous")
    second = open_case(as_caseworker.principal)
    SharedCaseFactory(case=second, police_force=police_force)

    before = mark()
    assert len(as_police.get("/api/v1/shared-cases/").json()["results"]) == 3
    events = events_after(before)
    assert len(events) == 2
    ours = next(e for e in events if e.chain == str(charity.pk))
    theirs = next(e for e in events if e.chain == str(other_charity.pk))
    assert {ours.case_id, *ours.case_ids} - {None} == {case.pk, second.pk}
    assert theirs.case_id == other_case.pk
    # Each charity sees its own cases only.
    other_supervisor = client_for(SupervisorFactory(organisation=other_charity))
    listed = other_supervisor.get(f"/api/v1/audit-events/?case={case.id}").json()["results"]
    assert listed == []


def test_a_forces_api_key_reading_shares_is_named_with_its_force(
    share, case, charity, police_force
):
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    before = mark()
    assert client_for_key(secret).get(f"/api/v1/shared-cases/{share.id}/").status_code == 200
    [event] = events_after(before)
    assert event.chain == str(charity.pk)
    assert event.actor_kind == "integration"
    assert event.actor_organisation_id == police_force.pk
    assert event.case_id == case.pk


def test_police_reads_of_updates_and_hearings_name_what_was_read(
    share, case, police_liaison, as_police, caseworker
):
    update = post_update(as_police, share).json()
    hearing = CourtEventFactory(
        case=case,
        actor=caseworker,
        hearing_type="first_hearing",
        court="Leeds Magistrates' Court",
        starts_at=timezone.now() + timezone.timedelta(days=20),
    )
    before = mark()
    as_police.get(f"/api/v1/shared-cases/{share.id}/updates/")
    as_police.get(f"/api/v1/shared-cases/{share.id}/court-events/")
    updates_read, hearings_read = events_after(before)
    assert updates_read.detail["ids"] == [update["id"]]
    assert hearings_read.detail["ids"] == [str(hearing.pk)]
    assert {updates_read.case_id, hearings_read.case_id} == {case.pk}


# --- every read of personal data, one event per request ------------------------------------


@pytest.fixture
def records(caseworker, case):
    """A second note and contact method, so a list shows more than one row."""
    note_add(case=case, author=caseworker, body="A second internal note", visibility="internal")
    ContactMethodFactory(
        client=case.client, created_by=caseworker, kind="landline", value="0113 496 0000"
    )
    return case


READS = [
    ("clients/{client}/contact-methods/", "contact_method.list"),
    ("cases/{case}/notes/", "note.list"),
    ("cases/{case}/contacts/", "contact_log.list"),
    ("cases/{case}/court-events/", "court_event.list"),
    ("cases/{case}/messages/", "message.list"),
    ("cases/{case}/transitions/", "case.transitions.read"),
    ("cases/{case}/timeline/", "case.timeline.read"),
    ("cases/{case}/consents/", "consent.read"),
    ("cases/{case}/support-plan/", "support_plan.read"),
    ("cases/{case}/police-involvement/", "police_involvement.read"),
    ("clients/{client}/", "client.read"),
    ("cases/{case}/", "case.read"),
    ("cases/", "case.list"),
    ("clients/", "client.list"),
]


def _shown(action: str, body) -> set[str]:
    """The ids a response showed, as the audit event should name them."""
    if not isinstance(body, dict) or "results" not in body:
        return set()
    if action == "case.timeline.read":
        return {f"{row['kind']}:{row['id']}" for row in body["results"]}
    return {str(row["id"]) for row in body["results"] if "id" in row}


@pytest.mark.parametrize("path,action", READS, ids=[r[1] for r in READS])
def test_each_read_of_personal_data_is_one_event_naming_what_it_showed(
    records, as_caseworker, caseworker, path, action
):
    case = records
    url = "/api/v1/" + path.format(case=case.id, client=case.client_id)
    before = mark()
    response = as_caseworker.get(url)
    assert response.status_code == 200, response.json()
    [event] = events_after(before)
    assert event.action == action
    assert event.actor_id == caseworker.pk
    assert event.organisation_id == caseworker.organisation_id
    assert case.pk in [event.case_id, *event.case_ids] or event.client_id == case.client_id
    shown = _shown(action, response.json())
    assert shown <= set(event.detail["ids"])
    assert event.detail["count"] == len(event.detail["ids"])


def test_a_list_read_names_every_row_of_the_page(records, as_caseworker, caseworker):
    case = records
    before = mark()
    notes = as_caseworker.get(f"/api/v1/cases/{case.id}/notes/").json()["results"]
    assert len(notes) == 2
    [event] = events_after(before)
    assert sorted(event.detail["ids"]) == sorted(n["id"] for n in notes)


def test_a_refused_read_records_no_read(case, as_police, supervisor):
    outsider = client_for(SupervisorFactory(organisation=OrganisationFactory()))
    before = mark()
    assert outsider.get(f"/api/v1/cases/{case.id}/notes/").status_code == 404
    assert not events_after(before, action="note.list")


def test_a_calendar_feed_fetch_is_audited_with_the_hearings_it_showed(
    as_caseworker, caseworker, case, client
):
    hearing = CourtEventFactory(
        case=case,
        actor=caseworker,
        hearing_type="trial",
        court="Leeds Crown Court",
        starts_at=timezone.now() + timezone.timedelta(days=30),
    )
    url = as_caseworker.post("/api/v1/me/calendar-feed/").json()["url"]
    before = mark()
    assert client.get(url.split("testserver", 1)[1]).status_code == 200
    [event] = events_after(before)
    assert event.action == "calendar_feed.read"
    assert event.actor_id == caseworker.pk
    assert event.detail["ids"] == [str(hearing.pk)]
    assert case.pk in [event.case_id, *event.case_ids]


def test_a_client_lookup_records_which_clients_it_showed_but_never_the_number(
    as_caseworker, caseworker, case
):
    ContactMethodFactory(
        client=case.client, created_by=caseworker, kind="mobile", value="07700 900777"
    )
    before = mark()
    response = as_caseworker.post(
        "/api/v1/clients/lookup/", {"phone": "07700 900777"}, format="json"
    )
    assert [row["id"] for row in response.json()] == [str(case.client_id)]
    [event] = events_after(before)
    assert event.action == "client.lookup"
    assert event.client_id == case.client_id
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert "900777" not in stored and "7700" not in stored


# --- the access logs -------------------------------------------------------------------------


def test_the_client_access_log_shows_reads_and_changes_of_the_record_and_is_itself_audited(
    as_caseworker, as_supervisor, caseworker, supervisor, case
):
    as_caseworker.get(f"/api/v1/clients/{case.client_id}/")
    as_caseworker.get(f"/api/v1/clients/{case.client_id}/contact-methods/")
    response = as_supervisor.get(f"/api/v1/clients/{case.client_id}/access-log/?page_size=100")
    assert response.status_code == 200, response.json()
    actions = [(e["actor_label"], e["action"]) for e in response.json()["results"]]
    assert (caseworker.username, "client.read") in actions
    assert (caseworker.username, "contact_method.list") in actions
    assert (caseworker.username, "client.create") in actions
    assert (caseworker.username, "contact_method.create") in actions
    assert all(e["actor_organisation"]["kind"] == "charity" for e in response.json()["results"])
    looked = AuditEvent.objects.filter(action="client.access_log.read").get()
    assert looked.actor_id == supervisor.pk
    assert looked.client_id == case.client_id


def test_the_case_access_log_is_for_supervisors_of_the_charity_only(as_caseworker, as_police, case):
    assert as_caseworker.get(f"/api/v1/cases/{case.id}/access-log/").status_code == 403
    assert as_police.get(f"/api/v1/cases/{case.id}/access-log/").status_code == 403
    outsider = client_for(SupervisorFactory(organisation=OrganisationFactory()))
    assert outsider.get(f"/api/v1/cases/{case.id}/access-log/").status_code == 404
    assert outsider.get(f"/api/v1/clients/{case.client_id}/access-log/").status_code == 404


def test_the_case_access_log_reading_is_audited(as_supervisor, supervisor, case):
    before = mark()
    assert as_supervisor.get(f"/api/v1/cases/{case.id}/access-log/").status_code == 200
    [event] = events_after(before)
    assert event.action == "case.access_log.read"
    assert event.actor_id == supervisor.pk
    assert event.case_id == case.pk


def test_another_forces_reads_are_filtered_apart(
    as_caseworker, case, police_force, police_liaison, as_police, as_supervisor
):
    other_force = PoliceForceFactory()
    other_liaison = PoliceLiaisonFactory(organisation=other_force)
    SharedCaseFactory(case=case, police_force=police_force)
    SharedCaseFactory(
        case=open_case(as_caseworker.principal), police_force=other_force, level="anonymous"
    )
    client_for(other_liaison).get("/api/v1/shared-cases/")
    as_police.get("/api/v1/shared-cases/")
    ours = as_supervisor.get(f"/api/v1/audit-events/?force={police_force.pk}").json()["results"]
    theirs = as_supervisor.get(f"/api/v1/audit-events/?force={other_force.pk}").json()["results"]
    assert {e["actor"] for e in ours} == {str(police_liaison.pk)}
    assert {e["actor"] for e in theirs} == {str(other_liaison.pk)}


def test_a_case_opened_for_a_new_client_names_the_client_on_its_events(caseworker, charity):
    client = client_create(organisation=charity, created_by=caseworker, pseudonym="Wren")
    case = case_create(client=client, opened_by=caseworker)
    opened = AuditEvent.objects.filter(object_id=str(case.pk), action="case.create").get()
    assert opened.client_id == client.pk
