"""Subject access through the API: a supervisor exports everything held about a client, as JSON
or as a ZIP with a readable summary, and nobody else does."""

import io
import json
import zipfile

import pytest

from casework.audit.models import AuditEvent
from casework.clients.models import Client

from ...conftest import client_for
from ...factories import SupervisorFactory
from .world import Bundle

pytestmark = pytest.mark.django_db


def export_url(bundle: Bundle, fmt: str | None = None) -> str:
    url = f"/api/v1/clients/{bundle.client.pk}/export/"
    return f"{url}?format={fmt}" if fmt else url


def test_a_supervisor_exports_everything_held_about_the_client_as_json(
    as_supervisor, supervisor, bundle
):
    response = as_supervisor.get(export_url(bundle))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    s = bundle.secrets
    client = data["client"]
    assert client["pseudonym"] == s["pseudonym"]
    assert client["legal_name"] == s["legal_name"]
    assert client["date_of_birth"] == "1993-07-14"
    assert client["vulnerability_flags"] == ["no_fixed_address", "substance_use"]
    methods = {m["kind"]: m for m in data["contact_methods"]}
    assert methods["email"]["value"] == s["email"] and methods["email"]["status"] == "retired"
    assert methods["third_party"]["third_party_name"] == s["third_party"]
    assert methods["mobile"]["value"].startswith("+44")
    [case] = data["cases"]
    assert case["case"]["reference"] == bundle.case.reference
    assert case["referral"][0]["summary"] == s["summary"]
    assert case["referral"][0]["referrer_name"] == s["referrer_name"]
    reasons = {t["reason"] for t in case["lifecycle"]}
    assert {s["transition_reason"], s["justice_reason"]} <= reasons
    assert [c["note"] for c in case["contact_log"]] == [s["contact_note"]]
    assert {n["body"] for n in case["notes"]} == {s["note"], s["shared_note"]}
    assert s["consent_note"] in {c["note"] for c in case["consents"]}
    assert {c["scope"] for c in case["consents"]} == {
        "store_records",
        "share_with_police",
        "warn_others",
    }
    assert [a["what_happened"] for a in case["alerts"]] == [s["alert"]]
    assert [i["value"] for i in case["alert_identifiers"]] == [s["offender_handle"]]
    assert s["police_update"] in {u["body"] for u in case["shared_updates"]}
    assert [e["outcome"] for e in case["court_events"]] == [s["court_outcome"]]
    assert [n["note"] for n in case["support_needs"]] == [s["need_note"]]
    assert [r["notes"] for r in case["risk_assessments"]] == [s["risk_notes"]]
    assert [m["body"] for m in case["messages"]] == [s["message"]]
    assert case["shares"][0]["status"] == "active"

    event = AuditEvent.objects.get(action="client.export")
    assert event.actor_id == supervisor.id
    assert event.object_id == str(bundle.client.pk)
    assert event.detail == {"format": "json"}


def test_the_zip_export_holds_the_data_and_a_readable_summary(as_supervisor, bundle):
    response = as_supervisor.get(export_url(bundle, "zip"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{bundle.client.pk}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    [attachment] = data["cases"][0]["attachments"]
    assert sorted(archive.namelist()) == sorted(
        ["data.json", "summary.txt", attachment["export_name"]]
    )
    # The file itself, decrypted, and what the charity wrote about it.
    assert archive.read(attachment["export_name"]).decode() == bundle.secrets["attachment_content"]
    assert attachment["description"] == bundle.secrets["attachment_description"]
    assert attachment["original_name"] == bundle.secrets["attachment_name"]
    assert data["client"]["pseudonym"] == bundle.secrets["pseudonym"]
    assert data["cases"][0]["notes"]
    summary = archive.read("summary.txt").decode("utf-8")
    assert bundle.secrets["pseudonym"] in summary
    assert bundle.secrets["legal_name"] in summary
    assert bundle.case.reference in summary
    assert "data.json" in summary
    assert AuditEvent.objects.get(action="client.export").detail == {"format": "zip"}


def test_an_unknown_export_format_is_refused(as_supervisor, bundle):
    response = as_supervisor.get(export_url(bundle, "xml"))
    assert response.status_code == 400
    assert "format" in response.json()["fields"]
    assert not AuditEvent.objects.filter(action="client.export").exists()


@pytest.mark.parametrize("who", ["caseworker", "isva", "police_liaison"])
def test_only_a_supervisor_may_export(who, request, bundle):
    api = client_for(request.getfixturevalue(who))
    for fmt in (None, "zip"):
        response = api.get(export_url(bundle, fmt))
        assert response.status_code == 403, (who, response.status_code)
    assert not AuditEvent.objects.filter(action="client.export").exists()


def test_another_charitys_supervisor_gets_404(other_charity, bundle):
    api = client_for(SupervisorFactory(organisation=other_charity))
    assert api.get(export_url(bundle)).status_code == 404
    assert api.post(f"/api/v1/clients/{bundle.client.pk}/erase/", {"reason": "x"}).status_code == (
        404
    )
    assert not AuditEvent.objects.filter(action__in=["client.export", "client.erase"]).exists()
    assert Client.objects.get(pk=bundle.client.pk).anonymised_at is None
