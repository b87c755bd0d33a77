"""A share lives from one start to its end. A withdrawal, a lapse or a change of level ends it,
and what comes next is a new share with its own reference and start: an anonymous share cannot
be linked to the share before it, and what was said on an old share never shows on a new one
(the charity still sees it on the case)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.sharing.models import SharedCase, SharedCaseGroupObjectPermission

from ..conftest import client_for
from ..factories import CaseFactory

pytestmark = pytest.mark.django_db

SHARED = "/api/v1/shared-cases/"
POLICE_SAID = "Suspect named by a neighbour at the Wrenfield flats"
HEARING_COURT = "Bradford Crown Court, court 4"


@pytest.fixture
def case(caseworker) -> Case:
    return CaseFactory(
        opened_by=caseworker,
        pseudonym="Linnet",
        offence_types=["robbery"],
        incident_date=timezone.localdate() - timedelta(days=40),
    )


def consent(api, case, scope, granted=True, force=None, **extra):
    body = {"scope": scope, "granted": granted, "method": "verbal", **extra}
    if force is not None:
        body["police_force"] = str(force.id)
    response = api.post(f"/api/v1/cases/{case.id}/consents/", body, format="json")
    assert response.status_code == 201, response.json()


def live(case, force) -> SharedCase:
    return SharedCase.objects.get(case=case, police_force=force, status="active")


def say_and_list_a_hearing(as_police, share) -> None:
    """What a force leaves on a share: an update and a hearing."""
    base = f"{SHARED}{share.id}/"
    posted = as_police.post(f"{base}updates/", {"kind": "investigation", "body": POLICE_SAID})
    assert posted.status_code == 201, posted.json()
    hearing = {
        "hearing_type": "first_hearing",
        "court": HEARING_COURT,
        "starts_at": (timezone.now() + timedelta(days=30)).isoformat(),
    }
    listed = as_police.post(f"{base}court-events/", hearing, format="json")
    assert listed.status_code == 201, listed.json()


def everything_police_see(as_police, share) -> list:
    base = f"{SHARED}{share.id}/"
    responses = [as_police.get(SHARED), as_police.get(base)]
    if share.level == "identified":
        responses += [as_police.get(f"{base}updates/"), as_police.get(f"{base}court-events/")]
    assert {r.status_code for r in responses} == {200}
    return responses


def assert_absent(responses, *needles: str) -> None:
    for response in responses:
        text = response.content.decode()
        for needle in needles:
            assert needle not in text, f"{needle!r} leaked into {text}"


def test_withdrawal_and_a_new_grant_make_a_new_share_that_carries_nothing_of_the_old(
    as_caseworker, as_police, case, police_force, caseworker
):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)
    first = live(case, police_force)
    say_and_list_a_hearing(as_police, first)

    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    second = live(case, police_force)
    assert second.pk != first.pk and second.share_reference != first.share_reference
    assert second.started_at > first.started_at
    first.refresh_from_db()
    assert first.status == "ended" and first.ended_at <= second.started_at

    seen = everything_police_see(as_police, second)
    assert seen[2].json()["results"] == [] and seen[3].json()["results"] == []
    assert seen[1].json()["court_events"] == []
    assert_absent(seen, POLICE_SAID, HEARING_COURT, first.share_reference, str(first.pk))
    assert as_police.get(f"{SHARED}{first.id}/").status_code == 404

    # The charity still has both on the case, under the share they were said on.
    timeline = as_caseworker.get(f"/api/v1/cases/{case.id}/timeline/?page_size=100").json()
    [update] = [item for item in timeline["results"] if item["kind"] == "police_update"]
    assert update["data"]["share_reference"] == first.share_reference
    hearings = as_caseworker.get(f"/api/v1/cases/{case.id}/court-events/").json()["results"]
    assert [h["court"] for h in hearings] == [HEARING_COURT]

    actions = list(
        AuditEvent.objects.filter(action__startswith="share.", case_id=case.id)
        .order_by("id")
        .values_list("action", "object_id")
    )
    assert actions == [
        ("share.start", str(first.pk)),
        ("share.end", str(first.pk)),
        ("share.start", str(second.pk)),
    ]


def test_going_from_identified_to_anonymous_and_back_starts_a_new_share_each_time(
    as_caseworker, as_police, case, police_force
):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_anonymous_intelligence", force=police_force)
    first_anonymous = live(case, police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    identified = live(case, police_force)
    assert identified.level == "identified"
    assert identified.share_reference != first_anonymous.share_reference
    say_and_list_a_hearing(as_police, identified)

    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    anonymous = live(case, police_force)
    assert anonymous.level == "anonymous"
    assert anonymous.share_reference != identified.share_reference
    [row] = as_police.get(SHARED).json()["results"]
    assert (row["id"], row["share_reference"]) == (str(anonymous.pk), anonymous.share_reference)
    # The anonymous share's start is given to the month only, and the identified share's end
    # to the day: nothing says the one began the moment the other ended.
    assert row["started_at"] is None
    assert row["started_month"] == timezone.localtime(anonymous.started_at).strftime("%Y-%m")
    identified.refresh_from_db()
    ended_rows = as_police.get(f"{SHARED}ended/").json()["results"]
    [gone] = [r for r in ended_rows if r["share_reference"] == identified.share_reference]
    assert gone == {
        "share_reference": identified.share_reference,
        "ended_on": timezone.localdate(identified.ended_at).isoformat(),
        "closed_contact_requests": [],
    }
    for response in everything_police_see(as_police, anonymous):
        text = response.content.decode()
        assert identified.ended_at.isoformat() not in text
        assert anonymous.started_at.isoformat()[:16] not in text
    seen = everything_police_see(as_police, anonymous)
    assert_absent(seen, identified.share_reference, str(identified.pk), POLICE_SAID, HEARING_COURT)
    assert as_police.get(f"{SHARED}{identified.id}/").status_code == 404

    consent(as_caseworker, case, "share_with_police", force=police_force)
    again = live(case, police_force)
    assert again.level == "identified"
    assert again.share_reference not in (identified.share_reference, anonymous.share_reference)
    seen = everything_police_see(as_police, again)
    assert seen[2].json()["results"] == [] and seen[3].json()["results"] == []
    assert_absent(seen, anonymous.share_reference, identified.share_reference, POLICE_SAID)
    ended = as_police.get(f"{SHARED}ended/").json()["results"]
    assert {r["share_reference"] for r in ended} == {
        first_anonymous.share_reference,
        identified.share_reference,
        anonymous.share_reference,
    }
    assert SharedCase.objects.filter(case=case).count() == 4


def test_direct_contact_and_the_review_date_change_the_share_in_place(
    as_caseworker, as_police, case, police_force
):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)
    share = live(case, police_force)
    say_and_list_a_hearing(as_police, share)
    later = (timezone.localdate() + timedelta(days=90)).isoformat()
    consent(as_caseworker, case, "police_may_contact_directly", force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force, review_date=later)
    consent(as_caseworker, case, "police_may_contact_directly", granted=False, force=police_force)
    assert SharedCase.objects.filter(case=case).count() == 1
    share.refresh_from_db()
    assert share.status == "active" and share.review_date.isoformat() == later
    [update] = as_police.get(f"{SHARED}{share.id}/updates/").json()["results"]
    assert update["body"] == POLICE_SAID
    changes = AuditEvent.objects.filter(action="share.change", object_id=str(share.pk))
    assert changes.count() == 3
    assert not AuditEvent.objects.filter(action="share.end").exists()


def test_a_grant_renewed_after_it_lapsed_starts_a_new_share_even_before_the_sweep(
    as_caseworker, case, police_force, police_liaison, caseworker
):
    review = timezone.localdate() + timedelta(days=5)
    consent(as_caseworker, case, "store_records")
    consent(
        as_caseworker,
        case,
        "share_anonymous_intelligence",
        force=police_force,
        review_date=review.isoformat(),
    )
    lapsed = live(case, police_force)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        renewed_until = (timezone.localdate() + timedelta(days=30)).isoformat()
        consent(
            client_for(caseworker),
            case,
            "share_anonymous_intelligence",
            force=police_force,
            review_date=renewed_until,
        )
        [row] = client_for(police_liaison).get(SHARED).json()["results"]
    assert row["share_reference"] != lapsed.share_reference
    lapsed.refresh_from_db()
    assert lapsed.status == "ended"
    assert AuditEvent.objects.filter(action="share.end", object_id=str(lapsed.pk)).exists()


def test_the_database_holds_one_active_share_per_case_and_force(as_caseworker, case, police_force):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)
    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    share = live(case, police_force)
    assert SharedCase.objects.filter(case=case, status="ended").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SharedCase.objects.create(
            case=case,
            police_force=police_force,
            share_reference="SHR-TWOACTIV",
            level="identified",
            status="active",
            started_at=timezone.now(),
        )
    assert SharedCase.objects.filter(case=case, status="active").get() == share


def test_rebuild_sharing_finds_nothing_to_repair_after_shares_came_and_went(
    as_caseworker, case, police_force
):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_anonymous_intelligence", force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    before = list(SharedCase.objects.order_by("started_at").values_list("pk", "status"))
    out = StringIO()
    call_command("rebuild_sharing", stdout=out)
    assert "drift" not in out.getvalue() and "repaired 0" in out.getvalue()
    assert list(SharedCase.objects.order_by("started_at").values_list("pk", "status")) == before
    share = live(case, police_force)
    rows = SharedCaseGroupObjectPermission.objects.all()
    assert [row.content_object_id for row in rows] == [share.pk]


def test_hearings_police_added_before_shares_carried_them_are_linked_to_their_share(
    as_caseworker, as_police, case, police_force
):
    """The data migration: each such hearing goes to the share that had started by then."""
    from importlib import import_module

    from django.apps import apps

    from casework.court.models import CourtEvent

    migration = import_module("casework.court.migrations.0003_link_police_hearings_to_their_share")
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)
    first = live(case, police_force)
    say_and_list_a_hearing(as_police, first)
    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    second = live(case, police_force)
    say_and_list_a_hearing(as_police, second)
    charity_hearing = as_caseworker.post(
        f"/api/v1/cases/{case.id}/court-events/",
        {
            "hearing_type": "trial",
            "court": "Leeds Crown Court",
            "starts_at": (timezone.now() + timedelta(days=90)).isoformat(),
        },
        format="json",
    )
    assert charity_hearing.status_code == 201, charity_hearing.json()
    linked = dict(CourtEvent.objects.values_list("pk", "shared_case_id"))
    CourtEvent.objects.update(shared_case=None)

    migration.link_police_hearings(apps, None)
    assert dict(CourtEvent.objects.values_list("pk", "shared_case_id")) == linked
    assert sorted(linked.values(), key=str) == sorted([first.pk, second.pk, None], key=str)
