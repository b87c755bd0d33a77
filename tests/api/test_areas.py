"""Areas: each charity keeps a list of areas, a case is placed in one of them, and police are
told the area only from that list (never the charity's own description of where it happened).
Anonymous intelligence gives the incident date to the month."""

from datetime import date

import pytest

from casework.accounts.models import Organisation
from casework.audit.models import AuditEvent
from casework.cases.models import Case, Referral
from casework.sharing.models import SharedCase

from ..conftest import client_for
from ..editing import edit
from ..factories import CaseFactory, ClientFactory, SharedCaseFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/organisation-settings/"
CASES = "/api/v1/cases/"
SHARED = "/api/v1/shared-cases/"
AREAS = ["Holbeck", "Chapeltown", "Leeds city centre"]
IN_THEIR_WORDS = "Behind the Quarrymoor car wash, second lane"
INCIDENT_DATE = date(2026, 9, 17)
# Authentication (the force's groups with it), the page, then the police read audited in the
# charity's chain (savepoint, chain lock with the chain's tail, insert, release) once per charity
# on the page.
QUERIES_FOR_A_POLICE_LIST = 2 + 4


@pytest.fixture
def areas(charity) -> list[str]:
    charity.areas = AREAS
    charity.save(update_fields=["areas"])
    return AREAS


def set_areas(api, areas):
    return edit(api, SETTINGS, {"areas": areas}, format="json")


def assert_refused_on(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()


# --- the organisation's list ----------------------------------------------------------------


def test_a_supervisor_keeps_the_list_of_areas_trimmed(as_supervisor, charity):
    response = set_areas(as_supervisor, ["  Holbeck ", "Leeds  city centre", "Chapeltown"])
    assert response.status_code == 200, response.json()
    assert response.json()["areas"] == ["Holbeck", "Leeds city centre", "Chapeltown"]
    assert as_supervisor.get(SETTINGS).json()["areas"] == response.json()["areas"]
    charity.refresh_from_db()
    assert charity.areas == ["Holbeck", "Leeds city centre", "Chapeltown"]
    event = AuditEvent.objects.filter(action="organisation.settings").latest("id")
    assert event.changed_fields == ["areas"] and event.organisation_id == charity.pk


@pytest.mark.parametrize(
    "areas",
    [
        pytest.param(["Holbeck", "holbeck "], id="same-whatever-the-case"),
        pytest.param(["Holbeck", "   "], id="blank"),
        pytest.param(["Holbeck", ""], id="empty"),
        pytest.param(["x" * 81], id="too-long"),
        pytest.param([f"Area {n}" for n in range(201)], id="too-many"),
        pytest.param("Holbeck", id="not-a-list"),
    ],
)
def test_a_bad_list_of_areas_is_refused_and_the_old_one_kept(as_supervisor, charity, areas):
    charity.areas = ["Kirkstall"]
    charity.save(update_fields=["areas"])
    assert_refused_on(set_areas(as_supervisor, areas), "areas")
    charity.refresh_from_db()
    assert charity.areas == ["Kirkstall"]


def test_the_longest_list_allowed_is_accepted(as_supervisor, charity):
    longest = [f"Area {n:03d} " + "x" * 71 for n in range(200)]
    assert all(len(name) == 80 for name in longest)
    response = set_areas(as_supervisor, longest)
    assert response.status_code == 200, response.json()
    charity.refresh_from_db()
    assert charity.areas == longest


def test_only_a_supervisor_changes_the_areas(as_caseworker, charity):
    assert set_areas(as_caseworker, ["Holbeck"]).status_code == 403
    charity.refresh_from_db()
    assert charity.areas == []


# --- a case's area ------------------------------------------------------------------------


def test_a_case_is_opened_in_one_of_the_areas_as_the_list_spells_it(
    as_caseworker, caseworker, areas
):
    client = ClientFactory(created_by=caseworker, pseudonym="Kit")
    response = as_caseworker.post(
        CASES,
        {"client": str(client.id), "area": "leeds CITY centre", "incident_area": IN_THEIR_WORDS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["area"] == "Leeds city centre"
    assert response.json()["incident_area"] == IN_THEIR_WORDS
    assert Case.objects.get(pk=response.json()["id"]).area == "Leeds city centre"


def test_an_area_not_on_the_list_is_refused(as_caseworker, caseworker, areas):
    client = ClientFactory(created_by=caseworker, pseudonym="Kit")
    response = as_caseworker.post(
        CASES, {"client": str(client.id), "area": IN_THEIR_WORDS}, format="json"
    )
    assert_refused_on(response, "area")
    assert not Case.objects.exists()


def test_another_charitys_area_is_not_one_of_yours(as_caseworker, caseworker, areas):
    other = SupervisorFactory().organisation
    other.areas = ["Kirkstall"]
    other.save(update_fields=["areas"])
    client = ClientFactory(created_by=caseworker, pseudonym="Kit")
    response = as_caseworker.post(CASES, {"client": str(client.id), "area": "Kirkstall"})
    assert_refused_on(response, "area")


def test_the_area_is_changed_and_cleared_by_an_update(as_caseworker, caseworker, areas):
    client = ClientFactory(created_by=caseworker, pseudonym="Kit")
    case = CaseFactory(client=client, opened_by=caseworker, area="Holbeck")
    url = f"{CASES}{case.id}/"
    refused = edit(as_caseworker, url, {"area": "Somewhere else"}, format="json")
    assert_refused_on(refused, "area")
    case.refresh_from_db()
    assert (case.area, case.version) == ("Holbeck", 1)
    for value in ("Chapeltown", ""):
        response = edit(as_caseworker, url, {"area": value}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["area"] == value
    case.refresh_from_db()
    assert (case.area, case.version) == ("", 3)
    updates = AuditEvent.objects.filter(action="case.update", case_id=case.id)
    assert [e.changed_fields for e in updates.order_by("id")] == [["area"], ["area"]]


def test_accepting_a_referral_places_the_case_in_an_area(as_caseworker, areas):
    referral = as_caseworker.post(
        "/api/v1/referrals/", {"source": "outreach", "summary": "Robbed on Tuesday."}
    ).json()
    url = f"/api/v1/referrals/{referral['id']}/accept/"
    refused = as_caseworker.post(
        url, {"new_client": {"pseudonym": "Kit"}, "area": "Atlantis"}, format="json"
    )
    assert_refused_on(refused, "area")
    assert Referral.objects.get(pk=referral["id"]).status == "new"
    response = as_caseworker.post(
        url, {"new_client": {"pseudonym": "Kit"}, "area": "Chapeltown"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Case.objects.get(pk=response.json()["id"]).area == "Chapeltown"


# --- what police are told -------------------------------------------------------------------


def shared_case(caseworker, force, *, level: str, area: str = "Chapeltown") -> SharedCase:
    """A share of a case placed in ``area`` and described in the charity's own words."""
    case = CaseFactory(
        opened_by=caseworker,
        pseudonym="Kit",
        offence_types=["robbery"],
        incident_date=INCIDENT_DATE,
        incident_area=IN_THEIR_WORDS,
        area=area,
    )
    return SharedCaseFactory(case=case, police_force=force, level=level)


LEVELS = ["anonymous", "identified"]


@pytest.mark.parametrize("level", LEVELS)
def test_police_see_the_area_only_while_it_is_on_the_list(
    as_supervisor, as_police, caseworker, police_force, areas, level
):
    share = shared_case(caseworker, police_force, level=level)
    [row] = as_police.get(SHARED).json()["results"]
    detail = as_police.get(f"{SHARED}{share.id}/")
    assert row["area"] == detail.json()["area"] == "Chapeltown"

    assert set_areas(as_supervisor, ["Holbeck", "Leeds city centre"]).status_code == 200
    [row] = as_police.get(SHARED).json()["results"]
    detail = as_police.get(f"{SHARED}{share.id}/")
    assert row["area"] is None and detail.json()["area"] is None
    for response in (as_police.get(SHARED), detail):
        assert "Chapeltown" not in response.content.decode()
        assert IN_THEIR_WORDS not in response.content.decode()


@pytest.mark.parametrize("level", LEVELS)
def test_a_case_without_an_area_shows_none_and_never_the_free_text(
    as_police, caseworker, police_force, areas, level
):
    share = shared_case(caseworker, police_force, level=level, area="")
    for response in (as_police.get(SHARED), as_police.get(f"{SHARED}{share.id}/")):
        assert response.status_code == 200
        assert "Quarrymoor" not in response.content.decode()
    assert as_police.get(f"{SHARED}{share.id}/").json()["area"] is None


def test_anonymous_intelligence_gives_the_incident_date_to_the_month(
    as_police, caseworker, police_force, areas
):
    share = shared_case(caseworker, police_force, level="anonymous")
    [row] = as_police.get(SHARED).json()["results"]
    detail = as_police.get(f"{SHARED}{share.id}/")
    for body in (row, detail.json()):
        assert (body["incident_date"], body["incident_month"]) == (None, "2026-09")
    for response in (as_police.get(SHARED), detail):
        assert "2026-09-17" not in response.content.decode()


def test_an_identified_share_keeps_the_full_date(as_police, caseworker, police_force, areas):
    share = shared_case(caseworker, police_force, level="identified")
    body = as_police.get(f"{SHARED}{share.id}/").json()
    assert (body["incident_date"], body["incident_month"]) == ("2026-09-17", "2026-09")


def test_the_police_list_costs_the_same_for_one_share_as_for_ten(
    caseworker, police_force, police_liaison, areas, django_assert_num_queries
):
    """Area and month are read from the rows the page already loaded, never per share."""
    shared_case(caseworker, police_force, level="identified")
    police = client_for(police_liaison)
    with django_assert_num_queries(QUERIES_FOR_A_POLICE_LIST) as one:
        assert len(police.get(SHARED).json()["results"]) == 1
    for n in range(9):
        shared_case(caseworker, police_force, level="anonymous" if n % 2 else "identified")
    police = client_for(police_liaison)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(police.get(SHARED).json()["results"]) == 10


def test_charity_staff_find_their_charitys_areas_on_me(caseworker, charity, areas):
    me = client_for(caseworker).get("/api/v1/me/").json()
    assert me["areas"] == list(Organisation.objects.get(pk=charity.pk).areas)
    assert me["areas"]


def test_police_are_not_told_a_charitys_areas_on_me(police_liaison, areas):
    assert client_for(police_liaison).get("/api/v1/me/").json()["areas"] == []
