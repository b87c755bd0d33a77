"""The audit trail through the API: a supervisor sees their own organisation's events and no
other's, filters them, and exports them as CSV that a spreadsheet cannot run, the export itself
audited. Nobody else reads the trail."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.cases.services.contacts import note_add

from ..conftest import Api, client_for
from ..factories import CaseFactory, ClientFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit-events/"
EXPORT = "/api/v1/audit-events/export/"
COLUMNS = [
    "occurred_at",
    "sequence",
    "actor_label",
    "actor_kind",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "changed_fields",
    "request_id",
    "ip_address",
    "hash",
]

DAY_ONE = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
DAY_TWO = datetime(2027, 2, 2, 9, 0, tzinfo=UTC)
DAY_THREE = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)

FORMULAS = {
    "=": "=cmd|' /C calc'!A0",
    "+": '+HYPERLINK("http://evil.example")',
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+9)*cmd|' /C calc'!A0",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(DAY_ONE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def trail(clock, charity, other_charity, caseworker, supervisor):
    """Events on three days in this charity, and some in another charity."""
    client = ClientFactory(created_by=caseworker, pseudonym="Wren")
    first_case = CaseFactory(client=client, opened_by=caseworker, offence_types=["robbery"])

    clock.move_to(DAY_TWO)
    other_client = ClientFactory(created_by=supervisor, pseudonym="Lark")
    second_case = CaseFactory(client=other_client, opened_by=supervisor, offence_types=["theft"])
    note_add(case=first_case, author=caseworker, body="Rang back.", visibility="internal")

    clock.move_to(DAY_THREE)
    for label in FORMULAS.values():
        audit_record(actor=label, action="system.formula_test", organisation=charity)
    outsider = UserFactory(organisation=other_charity)
    foreign_client = ClientFactory(created_by=outsider, pseudonym="Kite")
    CaseFactory(client=foreign_client, opened_by=outsider, offence_types=["theft"])

    clock.shift(timedelta(hours=1))
    return {
        "client": client,
        "other_client": other_client,
        "first_case": first_case,
        "second_case": second_case,
        "foreign_client": foreign_client,
        "outsider": outsider,
    }


@pytest.fixture
def api(trail, supervisor) -> Api:
    """The supervisor signs in once the trail is written (a token idles out in 30 minutes)."""
    return client_for(supervisor)


def listed(api: Api, **query) -> list[dict]:
    response = api.get(EVENTS, {"page_size": 100, **query})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["next"] is None, "more events than one page"
    return body["results"]


def ids(events) -> set[str]:
    return {str(getattr(e, "public_id", None) or e["id"]) for e in events}


def ours(charity):
    return AuditEvent.objects.filter(organisation=charity)


# --- listing ------------------------------------------------------------------------------------


def test_a_supervisor_lists_every_event_of_their_organisation_newest_first(api, charity):
    events = listed(api)

    assert ids(events) == ids(ours(charity))
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences, reverse=True)
    first = events[-1]
    assert set(first) >= {"id", "occurred_at", "actor", "action", "object_type", "hash"}


def test_another_charitys_events_are_absent(api, trail, charity, other_charity):
    theirs = AuditEvent.objects.filter(organisation=other_charity)
    assert theirs.exists()

    events = listed(api)

    assert not ids(events) & ids(theirs)
    assert all(e["actor"] != str(trail["outsider"].id) for e in events)
    assert not any(e["object_id"] == str(trail["foreign_client"].id) for e in events)


def test_platform_events_are_absent(api):
    Api().post("/api/v1/auth/login/", {"username": "nobody-at-all", "password": "x" * 20})
    platform = AuditEvent.objects.filter(chain="platform")
    assert platform.exists()
    assert not ids(listed(api)) & ids(platform)


def test_a_supervisor_reads_one_of_their_events(api, trail, charity):
    event = ours(charity).get(action="case.create", case_id=trail["first_case"].id)
    response = api.get(f"{EVENTS}{event.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(event.public_id)
    assert body["hash"] == event.hash and body["previous_hash"] == event.previous_hash


def test_another_charitys_event_answers_404_like_a_missing_one(api, other_charity):
    theirs = AuditEvent.objects.filter(organisation=other_charity).first()

    foreign = api.get(f"{EVENTS}{theirs.public_id}/")
    missing = api.get(f"{EVENTS}{uuid.uuid4()}/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "not_found"
    assert foreign.json()["message"] == missing.json()["message"]


# --- filters ------------------------------------------------------------------------------------


def test_filter_by_actor(api, charity, caseworker, supervisor):
    mine = listed(api, actor=str(caseworker.id))
    assert ids(mine) == ids(ours(charity).filter(actor=caseworker))
    assert {e["action"] for e in mine} >= {"client.create", "case.create", "note.create"}
    assert all(e["actor"] == str(caseworker.id) for e in mine)
    assert not ids(mine) & ids(ours(charity).filter(actor=supervisor))


def test_filter_by_case(api, trail, charity):
    case = trail["first_case"]
    events = listed(api, case=str(case.id))
    assert events
    assert {e["case_id"] for e in events} == {str(case.id)}
    assert {"case.create", "note.create"} <= {e["action"] for e in events}
    assert ids(events) == ids(ours(charity).filter(case_id=case.id))


def test_filter_by_exact_action(api, trail, charity):
    events = listed(api, action="client.create")
    assert {e["object_id"] for e in events} == {
        str(trail["client"].id),
        str(trail["other_client"].id),
    }
    assert {e["action"] for e in events} == {"client.create"}


def test_an_action_without_a_trailing_dot_is_not_a_prefix(api):
    assert listed(api, action="client") == []
    assert listed(api, action="client.cre") == []


def test_filter_by_action_prefix_ending_in_a_dot(api, charity):
    events = listed(api, action="case.")
    assert events
    assert all(e["action"].startswith("case.") for e in events)
    assert ids(events) == ids(ours(charity).filter(action__startswith="case."))
    assert "client.create" not in {e["action"] for e in events}


def test_filter_by_time_window(api, charity):
    on_day_two = listed(
        api, occurred_after=DAY_TWO.isoformat(), occurred_before=DAY_THREE.isoformat()
    )
    assert on_day_two
    assert ids(on_day_two) == ids(
        ours(charity).filter(occurred_at__gte=DAY_TWO, occurred_at__lt=DAY_THREE)
    )
    assert {e["action"] for e in on_day_two} >= {"client.create", "case.create", "note.create"}

    before = listed(api, occurred_before=DAY_TWO.isoformat())
    after = listed(api, occurred_after=DAY_TWO.isoformat())
    assert before and after
    assert not ids(before) & ids(after)
    assert ids(before) | ids(after) == ids(ours(charity))


@pytest.mark.parametrize(
    "query",
    [{"actor": "not-a-uuid"}, {"case": "42"}, {"occurred_after": "yesterday"}],
)
def test_a_malformed_filter_is_refused(api, query):
    response = api.get(EVENTS, query)
    assert response.status_code == 400
    assert set(query) <= set(response.json()["fields"])


# --- CSV export ---------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_export_is_a_csv_attachment_with_one_row_per_event(api, charity):
    expected = list(ours(charity).order_by("-id"))

    response = api.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit-2027-02-03.csv"'
    rows = rows_of(response)
    assert rows[0] == COLUMNS
    assert len(rows) - 1 == len(expected)
    hashes = [row[COLUMNS.index("hash")] for row in rows[1:]]
    assert hashes == [event.hash for event in expected]


def test_the_export_holds_no_other_charitys_events(api, other_charity):
    theirs = {e.hash for e in AuditEvent.objects.filter(organisation=other_charity)}
    rows = rows_of(api.get(EXPORT))
    assert not {row[COLUMNS.index("hash")] for row in rows[1:]} & theirs


def test_export_cells_that_a_spreadsheet_would_run_get_an_apostrophe(api):
    rows = rows_of(api.get(EXPORT, {"action": "system.formula_test"}))
    labels = {row[COLUMNS.index("actor_label")] for row in rows[1:]}

    assert labels == {"'" + formula for formula in FORMULAS.values()}
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), row


def test_ordinary_cells_are_left_as_they_are(api, caseworker):
    rows = rows_of(api.get(EXPORT, {"actor": str(caseworker.id)}))
    assert {row[COLUMNS.index("actor_label")] for row in rows[1:]} == {caseworker.username}


def test_the_export_follows_the_filters(api, trail):
    rows = rows_of(api.get(EXPORT, {"action": "client.create"}))
    assert {row[COLUMNS.index("action")] for row in rows[1:]} == {"client.create"}
    assert {row[COLUMNS.index("object_id")] for row in rows[1:]} == {
        str(trail["client"].id),
        str(trail["other_client"].id),
    }


def test_the_export_is_itself_audited(api, charity, supervisor):
    before = ours(charity).count()

    rows = rows_of(api.get(EXPORT, {"action": "case."}))

    event = ours(charity).get(action="audit.export")
    assert event.actor_id == supervisor.id
    assert event.detail["rows"] == len(rows) - 1
    assert event.detail["filters"] == {"action": "case."}
    assert ours(charity).count() == before + 1


# --- who may read the trail ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "isva", "police_liaison"])
def test_nobody_but_a_supervisor_reads_or_exports_the_trail(trail, charity, who, request):
    api = client_for(request.getfixturevalue(who))
    event = ours(charity).first()

    for url in (EVENTS, f"{EVENTS}{event.public_id}/", EXPORT):
        response = api.get(url)
        assert response.status_code == 403, (who, url)
        assert response.json()["code"] == "permission_denied"
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_an_api_key_cannot_read_the_trail(trail, as_charity_key):
    assert as_charity_key.get(EVENTS).status_code == 401
    assert as_charity_key.get(EXPORT).status_code == 401


def test_a_supervisor_of_another_charity_sees_only_their_own(trail, other_charity, charity):
    api = client_for(SupervisorFactory(organisation=other_charity))
    events = listed(api)
    assert events
    assert not ids(events) & ids(ours(charity))
