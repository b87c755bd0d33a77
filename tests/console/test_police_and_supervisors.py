"""Police liaison officers see in the console exactly what the API gives their force, and lose it
the moment consent is withdrawn; charity pages answer them as pages that do not exist.
Supervisors see their team's caseload and what was escalated to them."""

import pytest

from casework.audit.models import AuditEvent
from casework.disclosures.models import Disclosure
from casework.reminders.choices import ReminderKind
from casework.sharing.models import SharedUpdate
from casework.sharing.services import consent_record
from console import pages as console_pages
from console.views import caseload as caseload_views

from ..api.police_sharing.world import INTERNAL_NOTE, LEGAL_NAME, PHONE, PSEUDONYM, open_case
from ..conftest import client_for
from ..factories import CaseFactory, PoliceLiaisonFactory, SharedCaseFactory, UserFactory
from .test_caseworker import reminder_for
from .world import console_for, hidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def share(caseworker, police_force):
    return SharedCaseFactory(case=open_case(caseworker), police_force=police_force)


@pytest.fixture
def police(police_liaison):
    return console_for(police_liaison)


def page_text(response) -> str:
    return response.content.decode()


def test_police_see_their_shares_and_nothing_of_the_charitys_own(share, police):
    html = page_text(police.get("/app/shared/"))
    assert share.share_reference in html
    assert PSEUDONYM not in html
    event = AuditEvent.objects.filter(action="shared_case.list").get()
    assert event.organisation_id == share.case.organisation_id


def test_a_shared_case_shows_what_the_api_gives_the_force_and_keeps_it_disclosed(
    share, police, police_liaison
):
    html = page_text(police.get(f"/app/shared/{share.pk}/"))
    api = client_for(police_liaison).get(f"/api/v1/shared-cases/{share.pk}/").json()
    for key, value in api.items():
        if isinstance(value, str) and value:
            assert value in html, key
    # An identified share carries the identity the client agreed to share; never the routes or
    # the charity's own notes.
    assert LEGAL_NAME in html
    for secret in (PHONE, INTERNAL_NOTE):
        assert secret not in html
    assert Disclosure.objects.filter(shared_case=share).count() == 1
    read = AuditEvent.objects.filter(action="shared_case.read", actor_id=police_liaison.pk)
    assert read.count() == 2  # the console's look, then the API's


def test_police_post_an_update_once_however_often_the_form_is_sent(share, police):
    form = page_text(police.get(f"/app/shared/{share.pk}/"))
    data = {
        "kind": "investigation",
        "body": "Suspect interviewed under caution.",
        "form_token": hidden(form, "form_token"),
    }
    first = police.submit(f"/app/shared/{share.pk}/updates/", data)
    again = police.submit(f"/app/shared/{share.pk}/updates/", data)
    assert first.status_code == again.status_code == 302
    assert SharedUpdate.objects.filter(shared_case=share, from_police=True).count() == 1
    assert "Suspect interviewed under caution." in page_text(police.get(f"/app/shared/{share.pk}/"))


def test_an_empty_update_is_refused_beside_its_field(share, police):
    form = page_text(police.get(f"/app/shared/{share.pk}/"))
    response = police.submit(
        f"/app/shared/{share.pk}/updates/",
        {"kind": "investigation", "body": "", "form_token": hidden(form, "form_token")},
    )
    assert response.status_code == 400
    assert 'id="id_body-error"' in page_text(response)


def test_withdrawing_consent_takes_the_share_away_at_once(share, police, caseworker):
    assert police.get(f"/app/shared/{share.pk}/").status_code == 200
    consent_record(
        case=share.case,
        recorded_by=caseworker,
        scope="share_with_police",
        granted=False,
        method="verbal",
        police_force=share.police_force,
    )
    gone = police.get(f"/app/shared/{share.pk}/")
    assert gone.status_code == 404
    assert share.share_reference not in page_text(police.get("/app/shared/"))
    assert police.submit(f"/app/shared/{share.pk}/updates/", {}).status_code == 404


def test_a_charity_page_answers_police_as_a_page_that_does_not_exist(share, police):
    missing = police.get("/app/no-such-page/")
    for path in (
        f"/app/cases/{share.case_id}/",
        "/app/caseload/",
        "/app/team/",
        f"/app/cases/{share.case_id}/contacts/new/",
    ):
        response = police.get(path)
        assert response.status_code == 404 == missing.status_code, path
        assert _without_csrf(page_text(response)) == _without_csrf(page_text(missing)), path
    assert police.submit(f"/app/cases/{share.case_id}/identity/").status_code == 404
    assert not AuditEvent.objects.filter(action="client.read").exists()


def test_another_forces_officer_gets_not_found(share):
    other = console_for(PoliceLiaisonFactory())
    assert other.get(f"/app/shared/{share.pk}/").status_code == 404


def test_another_charitys_case_is_not_found(caseworker):
    case = CaseFactory(opened_by=caseworker)
    stranger = console_for(UserFactory())
    assert stranger.get(f"/app/cases/{case.pk}/").status_code == 404
    assert stranger.submit(f"/app/cases/{case.pk}/identity/").status_code == 404


def test_a_supervisor_sees_the_teams_caseload_and_a_caseworker_does_not(caseworker, supervisor):
    case = CaseFactory(opened_by=caseworker, support="active", pseudonym="Teammate")
    html = page_text(console_for(supervisor).get("/app/team/"))
    assert "Teammate" in html and str(case.pk) in html
    assert console_for(caseworker).get("/app/team/").status_code == 404


def test_a_supervisor_sees_the_reminders_escalated_to_them(caseworker, supervisor):
    case = CaseFactory(opened_by=caseworker, support="active")
    reminder_for(supervisor, case, ReminderKind.CONTACT_FAILURES, key="escalated")
    reminder_for(caseworker, case, ReminderKind.CONTACT_FAILURES, key="caseworker's")
    console = console_for(supervisor)
    html = page_text(console.get("/app/escalated/"))
    assert html.count("Repeated failed attempts") == 1
    assert case.reference in html
    assert console_for(caseworker).get("/app/escalated/").status_code == 404


def _without_csrf(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_supervisor_sees_their_own_charitys_staff_only(caseworker, supervisor):
    stranger = UserFactory()
    html = page_text(console_for(supervisor).get("/app/staff/"))
    assert caseworker.username in html and supervisor.username in html
    assert stranger.username not in html


def test_the_shared_cases_come_a_page_at_a_time_newest_first(
    caseworker, police_liaison, police, monkeypatch
):
    monkeypatch.setattr(console_pages, "PAGE_SIZE", 2)
    force = police_liaison.organisation
    shares = [
        SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=force)
        for _ in range(3)
    ]
    newest_first = sorted(shares, key=lambda s: (s.started_at, s.pk), reverse=True)
    first, second = (page_text(police.get(f"/app/shared/?page={n}")) for n in (1, 2))
    for html, expected in ((first, newest_first[:2]), (second, newest_first[2:])):
        assert [s for s in newest_first if s.share_reference in html] == expected
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    # Each page's read is audited with the shares it showed.
    listed = AuditEvent.objects.filter(action="shared_case.list").order_by("occurred_at", "id")
    assert [event.detail["shares"] for event in listed] == [
        [s.share_reference for s in newest_first[:2]],
        [newest_first[2].share_reference],
    ]


def test_the_staff_and_the_escalated_reminders_come_a_page_at_a_time(
    caseworker, supervisor, monkeypatch
):
    monkeypatch.setattr(console_pages, "PAGE_SIZE", 1)
    case = CaseFactory(opened_by=caseworker, support="active")
    for key in ("one", "two"):
        reminder_for(supervisor, case, ReminderKind.CONTACT_FAILURES, key=key)
    console = console_for(supervisor)
    for path, marker in (
        ("/app/escalated/", "Repeated failed attempts"),
        ("/app/staff/", "<tr><td>"),
    ):
        first, second = (page_text(console.get(f"{path}?page={n}")) for n in (1, 2))
        assert first.count(marker) == 1 and second.count(marker) == 1, path
        assert _without_csrf(first) != _without_csrf(second)
        assert 'rel="next"' in first and 'rel="prev"' in second


def test_a_supervisor_narrows_the_team_caseload_to_one_person(caseworker, supervisor, monkeypatch):
    colleague = UserFactory(organisation=caseworker.organisation)
    mine = [CaseFactory(opened_by=caseworker, support="active") for _ in range(3)]
    theirs = CaseFactory(opened_by=colleague, support="active")
    console = console_for(supervisor)
    everyone = page_text(console.get("/app/team/"))
    assert all(str(case.pk) in everyone for case in [*mine, theirs])
    assert f'<option value="{colleague.pk}">' in everyone

    monkeypatch.setattr(caseload_views, "CASES_SHOWN", 2)
    first = page_text(console.get("/app/team/", {"person": str(caseworker.pk)}))
    assert str(theirs.pk) not in first
    assert sum(str(case.pk) in first for case in mine) == 2
    # The next page keeps the person chosen.
    assert f"?person={caseworker.pk}&amp;page=2" in first
    second = page_text(console.get("/app/team/", {"person": str(caseworker.pk), "page": "2"}))
    assert sum(str(case.pk) in second for case in mine) == 1 and str(theirs.pk) not in second


def test_a_person_outside_the_team_is_refused_beside_the_field(caseworker, supervisor):
    stranger = UserFactory()
    response = console_for(supervisor).get("/app/team/", {"person": str(stranger.pk)})
    assert response.status_code == 400
    assert 'id="id_person-error"' in page_text(response)
