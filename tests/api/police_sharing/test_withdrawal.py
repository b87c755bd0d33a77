"""Withdrawal bites on the very next request: the share ends, the force sees and posts nothing
more, even when the withdrawal races a police update, and a grant after it is a new share."""

import threading
from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from casework.sharing.models import (
    ConsentDecision,
    PoliceInvolvement,
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedUpdate,
)

from ...conftest import client_for
from ...editing import edit
from ...factories import SharedCaseFactory
from .world import (
    SHARED,
    consent,
    detail,
    involvement,
    listed,
    open_case,
    post_update,
    updates,
    withdraw,
)

pytestmark = pytest.mark.django_db


# Withdrawal


def test_withdrawal_ends_police_access_on_the_very_next_request(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    assert as_police.get(detail(share)).status_code == 200
    assert post_update(as_police, share).status_code == 201
    assert as_police.get(updates(share)).status_code == 200
    withdraw(as_caseworker, case, police_force)

    assert as_police.get(detail(share)).status_code == 404
    assert as_police.get(updates(share)).status_code == 404
    patched = edit(as_police, involvement(share), {"crime_reference": "13/1/25"}, format="json")
    assert patched.status_code == 404
    assert listed(as_police) == []
    ended = as_police.get(f"{SHARED}ended/")
    assert ended.status_code == 200
    [row] = ended.json()["results"]
    assert set(row) == {"share_reference", "ended_on", "closed_contact_requests"}
    assert row["closed_contact_requests"] == []
    assert row["share_reference"] == share.share_reference
    share.refresh_from_db()
    assert share.status == "ended"
    assert row["ended_on"] == timezone.localdate(share.ended_at).isoformat()
    assert "13/1/25" not in {p.crime_reference for p in PoliceInvolvement.objects.filter(case=case)}
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()


def test_a_police_update_on_an_ended_share_is_not_found_and_not_saved(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    withdraw(as_caseworker, case, police_force)
    response = post_update(as_police, share)
    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "not_found"
    assert not SharedUpdate.objects.exists()


def test_withdrawing_store_records_ends_every_share(
    as_caseworker, as_police, as_other_police, case, police_force, other_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    consent(as_caseworker, case, "share_anonymous_intelligence", force=other_force)
    other = SharedCase.objects.get(case=case, police_force=other_force)
    assert as_other_police.get(detail(other)).status_code == 200
    consent(as_caseworker, case, "store_records", granted=False)
    assert as_police.get(detail(share)).status_code == 404
    assert as_other_police.get(detail(other)).status_code == 404
    assert listed(as_police) == [] and listed(as_other_police) == []
    assert set(SharedCase.objects.filter(case=case).values_list("status", flat=True)) == {"ended"}


def test_a_share_granted_again_after_withdrawal_is_a_new_share(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    withdraw(as_caseworker, case, police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    [row] = listed(as_police)
    assert row["id"] != str(share.id)
    assert row["share_reference"] != share.share_reference
    assert datetime.fromisoformat(row["started_at"]) > share.started_at
    [ended] = as_police.get(f"{SHARED}ended/").json()["results"]
    assert ended["share_reference"] == share.share_reference
    assert as_police.get(detail(share)).status_code == 404


# A withdrawal racing a police update


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_a_police_update_leaves_no_update_after_the_share_ended(
    caseworker, police_force, police_liaison
):
    as_caseworker, as_police = client_for(caseworker), client_for(police_liaison)
    for _ in range(4):
        case = open_case(caseworker)
        share = SharedCaseFactory(case=case, police_force=police_force)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def run(name, call, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=10)
                results[name] = call().status_code
            except Exception as error:  # reported below, not swallowed
                results[name] = error
            finally:
                connection.close()

        withdrawal = threading.Thread(
            target=run,
            args=(
                "withdrawal",
                lambda case=case: as_caseworker.post(
                    f"/api/v1/cases/{case.id}/consents/",
                    {
                        "scope": "share_with_police",
                        "granted": False,
                        "method": "verbal",
                        "police_force": str(police_force.id),
                    },
                    format="json",
                ),
            ),
        )
        update = threading.Thread(
            target=run, args=("update", lambda share=share: post_update(as_police, share))
        )
        for thread in (withdrawal, update):
            thread.start()
        for thread in (withdrawal, update):
            thread.join(30)
        assert not withdrawal.is_alive() and not update.is_alive()
        assert results["withdrawal"] == 201, results
        assert results["update"] in (201, 404, 409), results

        share.refresh_from_db()
        withdrawn = ConsentDecision.objects.filter(
            case=case, scope="share_with_police", granted=False
        ).exists()
        assert withdrawn
        assert share.status == "ended" and share.ended_at is not None
        police_updates = SharedUpdate.objects.filter(shared_case=share, from_police=True)
        assert not police_updates.filter(created_at__gt=share.ended_at).exists()
        assert police_updates.count() == (1 if results["update"] == 201 else 0)
        assert as_police.get(detail(share)).status_code == 404
        assert post_update(as_police, share).status_code == 404
