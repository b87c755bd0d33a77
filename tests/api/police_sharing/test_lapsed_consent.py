"""Consent given until a review date: once it lapses the share is hidden at once and the sweep
ends it, unless the client renewed it in time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Note
from casework.sharing.models import SharedCase, SharedCaseGroupObjectPermission, SharedUpdate
from casework.sharing.services import expire_lapsed_consents

from ...conftest import client_for
from ...factories import SharedCaseFactory
from .world import SHARED, assert_absent, consent, detail, listed, post_update, updates

pytestmark = pytest.mark.django_db


def test_a_lapsed_consent_hides_the_share_at_once_and_the_sweep_then_ends_it(
    case, police_force, police_liaison
):
    review = timezone.localdate() + timedelta(days=5)
    share = SharedCaseFactory(case=case, police_force=police_force, review_date=review)
    assert share.review_date == review
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        on_the_day = client_for(police_liaison)
        assert on_the_day.get(detail(share)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        police = client_for(police_liaison)
        assert police.get(detail(share)).status_code == 404
        assert police.get(updates(share)).status_code == 404
        assert post_update(police, share).status_code == 404
        assert listed(police) == []
        share.refresh_from_db()
        assert share.status == "active"  # nothing has run yet: the read itself refused
        assert expire_lapsed_consents() == 1
        share.refresh_from_db()
        assert share.status == "ended" and share.ended_at is not None
        assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
        end = AuditEvent.objects.get(action="share.end", object_id=str(share.pk))
        assert end.case_id == case.id
        [row] = police.get(f"{SHARED}ended/").json()["results"]
        assert row["share_reference"] == share.share_reference
        assert expire_lapsed_consents() == 0


def test_renewing_consent_before_the_review_date_keeps_the_share(
    as_caseworker, as_police, case, police_force, police_liaison, caseworker
):
    soon = timezone.localdate() + timedelta(days=5)
    share = SharedCaseFactory(case=case, police_force=police_force, review_date=soon)
    later = timezone.localdate() + timedelta(days=60)
    consent(
        as_caseworker, case, "share_with_police", force=police_force, review_date=later.isoformat()
    )
    share.refresh_from_db()
    assert share.review_date == later
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        assert expire_lapsed_consents() == 0
        assert client_for(police_liaison).get(detail(share)).status_code == 200


def test_a_note_shared_while_consent_had_lapsed_never_reaches_the_force(
    case, police_force, police_liaison, caseworker
):
    """The sweep has not run yet: the share is still marked active, but its consent lapsed."""
    review = timezone.localdate() + timedelta(days=5)
    SharedCaseFactory(case=case, police_force=police_force, review_date=review)
    written_in_the_gap = "Client moved in with her sister on Larkspur Road"
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        staff = client_for(caseworker)
        refused = staff.post(
            f"/api/v1/cases/{case.id}/notes/",
            {"body": written_in_the_gap, "visibility": "shared"},
            format="json",
        )
        assert refused.status_code == 400, refused.json()
        assert "visibility" in refused.json()["fields"]
        assert not Note.objects.filter(visibility="shared").exists()
        assert not SharedUpdate.objects.exists()

        renewed = (timezone.localdate() + timedelta(days=60)).isoformat()
        consent(staff, case, "share_with_police", force=police_force, review_date=renewed)
        police = client_for(police_liaison)
        [row] = listed(police)
        live = SharedCase.objects.get(pk=row["id"])
        seen = [police.get(SHARED), police.get(detail(live)), police.get(updates(live))]
        assert [r.status_code for r in seen] == [200, 200, 200]
        assert seen[2].json()["results"] == []
        for response in seen:
            assert_absent(response.content, written_in_the_gap, "Larkspur")
    assert written_in_the_gap not in [update.body for update in SharedUpdate.objects.all()]
