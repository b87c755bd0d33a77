"""No existence oracle: every filter that takes the id of another record answers an id the caller
cannot see exactly as it answers an id that does not exist, for every kind of caller.

The filters are listed by hand below (route, parameter, what the id names); a guard test finds
every filter that takes an id, in the FilterSets the views use and in the committed schema's
query parameters, and fails on one missing from the list. Each is then asked, as several roles,
with a random UUID and with the id of a real record the caller cannot see (another charity's,
a colleague's case, or for the police the charity's own id of a case shared with them): the
status and the body must be the same."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.urls import get_resolver, resolve
from django.utils import timezone
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend

from casework.reminders.choices import ReminderKind
from casework.reminders.models import Reminder

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    IsvaFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi" / "openapi.yaml"

# Every filter that takes the id of another record: (route, parameter, what the id names).
ID_FILTERS = [
    ("/api/v1/reminders/", "case", "case"),
    ("/api/v1/approvals/", "case", "case"),
    ("/api/v1/cases/", "assigned_to", "staff"),
    ("/api/v1/caseload/", "assigned_to", "staff"),
    ("/api/v1/entitlements/", "assigned_to", "staff"),
    ("/api/v1/audit-events/", "actor", "staff"),
    ("/api/v1/audit-events/", "case", "case"),
    ("/api/v1/audit-events/", "client", "client"),
    ("/api/v1/audit-events/", "force", "organisation"),
    ("/api/v1/audit-events/export/", "actor", "staff"),
    ("/api/v1/audit-events/export/", "case", "case"),
    ("/api/v1/audit-events/export/", "client", "client"),
    ("/api/v1/audit-events/export/", "force", "organisation"),
]
ROLES = ["caseworker", "isva", "supervisor", "other_supervisor", "police"]


# --- finding every filter that takes an id --------------------------------------------------

ID_FILTER_TYPES = (
    django_filters.UUIDFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def _takes_id(model, filter_) -> bool:
    if isinstance(filter_, ID_FILTER_TYPES):
        return True
    field_name = (filter_.field_name or "").split("__")[0]
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # a method filter with no model field behind it
        return False
    return field.is_relation or field.get_internal_type() == "UUIDField"


def _viewsets():
    for pattern in get_resolver().url_patterns:
        yield from _callbacks(pattern)


def _callbacks(pattern):
    if hasattr(pattern, "url_patterns"):
        for inner in pattern.url_patterns:
            yield from _callbacks(inner)
    else:
        cls = getattr(pattern.callback, "cls", None)
        if cls is not None:
            yield cls


def filters_taking_ids_in_code() -> set[tuple[str, str]]:
    """(view class, parameter) for every FilterSet filter on a related record or an id."""
    found = set()
    backend = DjangoFilterBackend()
    for cls in set(_viewsets()):
        if not (getattr(cls, "filterset_class", None) or getattr(cls, "filterset_fields", None)):
            continue
        view = cls()
        queryset = cls.queryset
        filterset = backend.get_filterset_class(view, queryset)
        for name, filter_ in filterset.base_filters.items():
            if _takes_id(queryset.model, filter_):
                found.add((cls.__name__, name))
    return found


def filters_taking_ids_in_schema() -> set[tuple[str, str]]:
    """(path, parameter) for every documented query parameter that is an id or says it takes
    one (``assigned_to``: "`me`, or the id of a member of staff")."""
    schema = yaml.safe_load(SCHEMA.read_text())
    found = set()
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter.get("in") != "query":
                continue
            is_uuid = parameter.get("schema", {}).get("format") == "uuid"
            says_id = re.search(r"\bid\b", parameter.get("description", ""))
            if is_uuid or says_id:
                found.add((path, parameter["name"]))
    return found


def test_every_filter_that_takes_an_id_is_in_the_list():
    listed = {(route, parameter) for route, parameter, _ in ID_FILTERS}
    by_view = {(resolve(route).func.cls.__name__, parameter) for route, parameter in listed}
    assert filters_taking_ids_in_code() <= by_view
    assert filters_taking_ids_in_schema() <= listed
    # The guard itself finds something: the known filters are there to be found.
    assert ("ReminderViewSet", "case") in filters_taking_ids_in_code()
    assert ("/api/v1/cases/", "assigned_to") in filters_taking_ids_in_schema()


# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def world() -> dict:
    """Charity A (a caseworker and an ISVA on one case, a colleague on another, a supervisor);
    charity B (a caseworker on a case); a force with which A's case is shared. Every case has a
    reminder, and every one of them has left audit events."""
    charity, other = OrganisationFactory(), OrganisationFactory()
    force = PoliceForceFactory()
    people = {
        "caseworker": UserFactory(organisation=charity),
        "isva": IsvaFactory(organisation=charity),
        "supervisor": SupervisorFactory(organisation=charity),
        "colleague": UserFactory(organisation=charity),
        "other_caseworker": UserFactory(organisation=other),
        "other_supervisor": SupervisorFactory(organisation=other),
        "police": PoliceLiaisonFactory(organisation=force),
    }

    def case_of(opener, assigned=(), pseudonym="Wren"):
        case = CaseFactory(opened_by=opener, pseudonym=pseudonym, assigned_to=list(assigned))
        Reminder.objects.create(
            organisation=case.organisation,
            kind=ReminderKind.NO_RECENT_CONTACT,
            case=case,
            assignee=opener,
            due_at=timezone.now() - timedelta(hours=1),
            dedup_key=f"oracle:{case.pk}",
        )
        return case

    ours = case_of(people["caseworker"], [people["isva"]])
    colleagues = case_of(people["colleague"], pseudonym="Robin")
    theirs = case_of(people["other_caseworker"], pseudonym="Jay")
    share = SharedCaseFactory(case=ours, police_force=force)
    Reminder.objects.create(
        organisation=force,
        kind=ReminderKind.POLICE_UPDATE_OVERDUE,
        case=ours,
        shared_case=share,
        assignee=people["police"],
        due_at=timezone.now() - timedelta(hours=1),
        dedup_key=f"oracle:{share.pk}",
    )
    return {
        "people": people,
        "ours": ours,
        "colleagues": colleagues,
        "theirs": theirs,
        "share": share,
    }


def _answer(response) -> tuple[int, object]:
    """Status and body, leaving out the one field that differs by request (its id)."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
        return response.status_code, body
    return response.status_code, response.content


def _cases():
    for route, parameter, names in ID_FILTERS:
        for role in ROLES:
            yield pytest.param(route, parameter, names, role, id=f"{route}?{parameter}-{role}")


def hidden_ids(world, role: str, names: str) -> dict[str, object]:
    """Ids of real records the role cannot see: the other charity's (for charity B's supervisor,
    charity A's), a colleague's for caseworkers and ISVAs, and for the police the charity's own
    id of the case it shares with them (they know it by its share only)."""
    people = world["people"]
    on_a = role != "other_supervisor"
    if names == "case":
        hidden = {"other_charity": (world["theirs"] if on_a else world["ours"]).pk}
        if role in ("caseworker", "isva"):
            hidden["colleague"] = world["colleagues"].pk
        if role == "police":
            hidden["shared_case_by_charity_id"] = world["ours"].pk
        return hidden
    if names == "client":
        hidden = {"other_charity": (world["theirs"] if on_a else world["ours"]).client_id}
        if role in ("caseworker", "isva"):
            hidden["colleague"] = world["colleagues"].client_id
        return hidden
    if names == "organisation":
        # An organisation none of whose people or keys ever acted on the caller's records.
        return {"other_charity": (world["theirs"] if on_a else world["ours"]).organisation_id}
    hidden = {"other_charity": people["other_caseworker" if on_a else "caseworker"].pk}
    if role in ("caseworker", "isva"):
        hidden["colleague"] = people["colleague"].pk
    return hidden


@pytest.mark.parametrize(("route", "parameter", "names", "role"), list(_cases()))
def test_an_id_the_caller_cannot_see_answers_as_one_that_does_not_exist(
    world, route, parameter, names, role
):
    api = client_for(world["people"][role])
    unknown = _answer(api.get(route, {parameter: str(uuid.uuid4())}))
    for why, record_id in hidden_ids(world, role, names).items():
        answer = _answer(api.get(route, {parameter: str(record_id)}))
        assert answer == unknown, f"{why}: {answer} differs from {unknown}"


# --- and each filter still finds what the caller may see ------------------------------------


def test_each_filter_finds_what_the_caller_may_see(world):
    people, ours, share = world["people"], world["ours"], world["share"]
    supervisor = client_for(people["supervisor"])
    found = {
        "reminders by case": supervisor.get("/api/v1/reminders/", {"case": str(ours.pk)}),
        "police reminders by share": client_for(people["police"]).get(
            "/api/v1/reminders/", {"case": str(share.pk)}
        ),
        "cases by assignee": supervisor.get(
            "/api/v1/cases/", {"assigned_to": str(people["isva"].pk)}
        ),
        "audit events by actor": supervisor.get(
            "/api/v1/audit-events/", {"actor": str(people["caseworker"].pk)}
        ),
        "audit events by case": supervisor.get("/api/v1/audit-events/", {"case": str(ours.pk)}),
    }
    for what, response in found.items():
        assert response.status_code == 200, (what, response.json())
        assert response.json()["results"], what
    caseload = supervisor.get("/api/v1/caseload/", {"assigned_to": str(people["isva"].pk)})
    assert [row["id"] for row in caseload.json()["results"]] == [str(ours.pk)]
    export = supervisor.get("/api/v1/audit-events/export/", {"case": str(ours.pk)})
    assert export.status_code == 200
    assert str(ours.pk) in export.content.decode()


def test_a_malformed_id_is_the_only_kind_refused(world):
    """Refusing is for what is not an id at all, never for an id that names nothing visible."""
    api = client_for(world["people"]["supervisor"])
    for route, parameter, _ in ID_FILTERS:
        status, body = _answer(api.get(route, {parameter: "not-an-id"}))
        assert status == 400, (route, parameter, body)
        assert parameter in body["fields"], (route, parameter, body)
