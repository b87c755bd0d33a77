"""A force sees a file only when a caseworker shares it on the case's identified share, and loses
it on the very next request after the caseworker takes it back or the client withdraws."""

import json

import pytest

from casework.audit.models import AuditEvent
from casework.disclosures.models import Disclosure
from casework.sharing.models import ConsentDecision

from ...conftest import client_for
from ...factories import PoliceForceFactory, PoliceLiaisonFactory, SharedCaseFactory
from ..police_sharing.world import consent, withdraw
from .files import TEXT, pdf, upload, url

pytestmark = pytest.mark.django_db


def shared_url(share) -> str:
    return f"/api/v1/shared-cases/{share.id}/attachments/"


def _share(api, case, attachment_id, force):
    return api.post(
        f"{url(case)}{attachment_id}/share/", {"police_force": str(force.id)}, format="json"
    )


def _listed(api, share) -> list[str]:
    response = api.get(shared_url(share))
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def identified(case, police_force):
    return SharedCaseFactory(case=case, police_force=police_force)


def test_a_force_sees_a_shared_file_and_loses_it_when_consent_is_withdrawn(
    as_caseworker, as_police, case, police_force, identified
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt", kind="statement").json()
    other = upload(as_caseworker, case, pdf(), "letter.pdf").json()
    assert _listed(as_police, identified) == []
    assert as_police.get(f"{shared_url(identified)}{kept['id']}/download/").status_code == 404

    assert _share(as_caseworker, case, kept["id"], police_force).status_code == 200
    assert _listed(as_police, identified) == [kept["id"]]
    row = as_police.get(f"{shared_url(identified)}{kept['id']}/").json()
    assert set(row) == {"id", "kind", "name", "media_type", "size", "uploaded_at"}
    download = as_police.get(f"{shared_url(identified)}{kept['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == TEXT
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "no-store"
    # The file not chosen stays the charity's.
    assert as_police.get(f"{shared_url(identified)}{other['id']}/download/").status_code == 404

    withdraw(as_caseworker, case, police_force)
    assert as_police.get(f"{shared_url(identified)}{kept['id']}/download/").status_code == 404
    assert as_police.get(f"{shared_url(identified)}{kept['id']}/").status_code == 404
    assert _listed(as_police, identified) == []


def test_taking_a_file_back_ends_the_forces_access_on_the_next_request(
    as_caseworker, as_police, case, police_force, identified
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    assert _listed(as_police, identified) == [kept["id"]]
    taken_back = as_caseworker.post(
        f"{url(case)}{kept['id']}/unshare/", {"police_force": str(police_force.id)}, format="json"
    )
    assert taken_back.status_code == 200, taken_back.content
    assert _listed(as_police, identified) == []
    assert as_police.get(f"{shared_url(identified)}{kept['id']}/download/").status_code == 404


def test_retiring_a_shared_file_takes_it_from_the_force(
    as_caseworker, as_police, case, police_force, identified
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    as_caseworker.post(f"{url(case)}{kept['id']}/retire/")
    assert _listed(as_police, identified) == []


def test_sharing_is_kept_as_a_disclosure_under_the_clients_consent(
    as_caseworker, case, police_force, identified
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    disclosure = Disclosure.objects.get(kind="shared_attachment")
    assert disclosure.recipient_id == police_force.pk
    assert disclosure.shared_case_id == identified.pk
    grant = ConsentDecision.objects.filter(
        case=case, scope="share_with_police", granted=True
    ).latest("id")
    assert disclosure.consent_decision_id == grant.pk
    sent = json.loads(disclosure.content)
    assert sent["attachment"] == kept["id"] and sent["size"] == len(TEXT)
    assert "statement" not in disclosure.content  # never the name it was uploaded under
    # Sharing it again while it is shared records nothing more.
    _share(as_caseworker, case, kept["id"], police_force)
    assert Disclosure.objects.filter(kind="shared_attachment").count() == 1


def test_an_anonymous_share_never_carries_a_file(as_caseworker, as_police, case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    refused = _share(as_caseworker, case, kept["id"], police_force)
    assert refused.status_code == 409
    assert refused.json()["code"] == "anonymous_share"
    assert not Disclosure.objects.filter(kind="shared_attachment").exists()
    assert as_police.get(shared_url(share)).status_code == 200
    assert _listed(as_police, share) == []


def test_a_case_not_shared_with_the_force_cannot_have_a_file_shared(
    as_caseworker, case, police_force
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    refused = _share(as_caseworker, case, kept["id"], police_force)
    assert refused.status_code == 400
    assert "police_force" in refused.json()["fields"]


def test_another_force_never_sees_the_file(as_caseworker, case, police_force, identified):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    other = client_for(PoliceLiaisonFactory(organisation=PoliceForceFactory()))
    assert other.get(shared_url(identified)).status_code == 404
    assert other.get(f"{shared_url(identified)}{kept['id']}/download/").status_code == 404


def test_a_new_share_after_withdrawal_carries_none_of_the_old_files(
    as_caseworker, as_police, case, police_force, identified
):
    from casework.sharing.models import SharedCase

    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    withdraw(as_caseworker, case, police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    fresh = SharedCase.objects.get(case=case, police_force=police_force, status="active")
    assert fresh.pk != identified.pk
    assert _listed(as_police, fresh) == []


def test_a_forces_download_is_audited_in_the_charitys_trail(
    as_caseworker, as_police, case, police_force, identified
):
    kept = upload(as_caseworker, case, TEXT, "statement.txt").json()
    _share(as_caseworker, case, kept["id"], police_force)
    as_police.get(f"{shared_url(identified)}{kept['id']}/download/")
    event = AuditEvent.objects.get(action="shared_case.attachment.download")
    assert event.organisation_id == case.organisation_id
    assert event.detail["ids"] == [kept["id"]]
