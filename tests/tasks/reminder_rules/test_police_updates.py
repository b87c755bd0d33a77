"""An identified share without a police update reminds each liaison officer of the force, from
the share's own start, until an update comes or the share ends; an anonymous share never
asks."""

from datetime import timedelta

import pytest

from casework.reminders.choices import ReminderStatus
from casework.sharing.services import police_update_post

from ...conftest import client_for
from ...factories import ConsentDecisionFactory, SharedCaseFactory
from .world import MINUTE, REMINDERS, START, K, active, open_case, scan, status_of

pytestmark = pytest.mark.django_db


def test_an_identified_share_without_a_police_update_reminds_each_liaison_of_the_force(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=28) - MINUTE)
    assert active(K.POLICE_UPDATE_OVERDUE) == []
    scan(clock, START + timedelta(days=28) + MINUTE)
    reminders = active(K.POLICE_UPDATE_OVERDUE)
    assert sorted(r.assignee_id for r in reminders) == sorted(u.pk for u in liaisons)
    assert {(r.organisation_id, r.shared_case_id, r.case_id) for r in reminders} == {
        (force.pk, share.pk, case.pk)
    }
    assert {r.due_at for r in reminders} == {START + timedelta(days=28)}

    # The officer sees it under the share reference, never the charity's case reference.
    officer = liaisons[0]
    response = client_for(officer).get(REMINDERS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["kind"] == "police_update_overdue"
    assert row["case"] == {"id": str(share.pk), "reference": share.share_reference}
    assert case.reference not in response.content.decode()
    # The other officer's reminder is theirs alone.
    theirs = next(r for r in reminders if r.assignee_id != officer.pk)
    assert client_for(officer).get(f"{REMINDERS}{theirs.pk}/").status_code == 404


def test_a_police_update_cancels_the_overdue_reminder(clock, caseworker, force, liaisons):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    overdue = active(K.POLICE_UPDATE_OVERDUE)
    assert len(overdue) == 2

    updated_at = START + timedelta(days=29, hours=1)
    clock.move_to(updated_at)
    police_update_post(
        shared_case=share, author=liaisons[0], kind="investigation", body="File sent to the CPS."
    )
    scan(clock, updated_at + MINUTE)
    assert [status_of(r) for r in overdue] == [ReminderStatus.CANCELLED] * 2
    assert active(K.POLICE_UPDATE_OVERDUE) == []

    scan(clock, updated_at + timedelta(days=28) + MINUTE)
    assert {r.due_at for r in active(K.POLICE_UPDATE_OVERDUE)} == {updated_at + timedelta(days=28)}


def test_the_share_ending_hides_the_reminder_at_once_and_the_next_scan_cancels_it(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    officer = liaisons[0]
    [mine] = active(K.POLICE_UPDATE_OVERDUE, assignee=officer)
    assert client_for(officer).get(f"{REMINDERS}{mine.pk}/").status_code == 200

    clock.move_to(START + timedelta(days=29, hours=1))
    ConsentDecisionFactory(case=case, scope="share_with_police", granted=False, police_force=force)
    # Before any scan: the reminder is as unknown to the officer as the share itself.
    api = client_for(officer)
    assert api.get(f"{REMINDERS}{mine.pk}/").status_code == 404
    assert api.post(f"{REMINDERS}{mine.pk}/complete/").status_code == 404
    assert api.get(REMINDERS).json()["results"] == []

    scan(clock, START + timedelta(days=29, hours=2))
    assert status_of(mine) == ReminderStatus.CANCELLED
    assert active(K.POLICE_UPDATE_OVERDUE) == []
    assert client_for(officer).get(f"{REMINDERS}{mine.pk}/").status_code == 404


def test_a_share_granted_again_is_reminded_about_from_its_own_start(
    clock, caseworker, force, liaisons
):
    case = open_case(caseworker)
    first = SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=29))
    old = active(K.POLICE_UPDATE_OVERDUE)
    assert {r.shared_case_id for r in old} == {first.pk}

    regranted_at = START + timedelta(days=29, hours=1)
    clock.move_to(regranted_at)
    ConsentDecisionFactory(case=case, scope="share_with_police", granted=False, police_force=force)
    second = SharedCaseFactory(case=case, police_force=force)
    assert second.pk != first.pk
    scan(clock, regranted_at + MINUTE)
    assert [status_of(r) for r in old] == [ReminderStatus.CANCELLED] * 2
    assert active(K.POLICE_UPDATE_OVERDUE) == []

    scan(clock, regranted_at + timedelta(days=28) + MINUTE)
    reminders = active(K.POLICE_UPDATE_OVERDUE)
    assert {(r.shared_case_id, r.due_at) for r in reminders} == {
        (second.pk, regranted_at + timedelta(days=28))
    }
    [row] = client_for(liaisons[0]).get(REMINDERS).json()["results"]
    assert row["case"] == {"id": str(second.pk), "reference": second.share_reference}


def test_an_anonymous_share_never_asks_for_police_updates(clock, caseworker, force, liaisons):
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force, level="anonymous")
    scan(clock, START + timedelta(days=60))
    assert active(K.POLICE_UPDATE_OVERDUE) == []
