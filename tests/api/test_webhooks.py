"""Webhook subscriptions through the API: made, changed, rotated and removed by an
organisation's managers only, with a secret shown once, destinations checked, and every change
in the audit trail."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from casework.audit.models import AuditEvent
from casework.webhooks.delivery import secrets_in_force
from casework.webhooks.models import WebhookSubscription
from casework.webhooks.signing import signed_headers

from ..editing import edit
from ..factories import SupervisorFactory

pytestmark = pytest.mark.django_db

# A public address, given as a literal so that no name has to resolve.
PUBLIC = "https://93.184.215.14/hooks"


def _create(api, url=PUBLIC, events=("referral.received",), **more):
    return api.post(
        "/api/v1/webhooks/", {"url": url, "events": list(events), **more}, format="json"
    )


def test_a_supervisor_makes_a_subscription_and_sees_its_secret_once(as_supervisor, charity):
    response = _create(as_supervisor, events=["referral.received", "consent.recorded"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32
    assert body["events"] == ["consent.recorded", "referral.received"]
    assert body["active"] is True
    listed = as_supervisor.get("/api/v1/webhooks/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "secret" not in listed[0]
    detail = as_supervisor.get(f"/api/v1/webhooks/{body['id']}/")
    assert "secret" not in detail.json() and detail["ETag"]
    stored = WebhookSubscription.objects.get(pk=body["id"])
    assert stored.organisation == charity and stored.secret == body["secret"]
    event = AuditEvent.objects.get(action="webhook.create")
    assert body["secret"] not in str(event.detail) and event.organisation_id == charity.pk


def test_a_police_liaison_subscribes_to_the_forces_events(as_police, police_force):
    response = _create(as_police, events=["share.started", "share.ended"])
    assert response.status_code == 201, response.json()
    assert WebhookSubscription.objects.get().organisation == police_force


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("not a url", ["referral.received"], "url"),
        ("ftp://93.184.215.14/hooks", ["referral.received"], "url"),
        ("https://user:pw@93.184.215.14/hooks", ["referral.received"], "url"),
        ("https://10.1.2.3/hooks", ["referral.received"], "url"),
        ("https://192.168.0.7/hooks", ["referral.received"], "url"),
        ("https://169.254.169.254/latest/meta-data/", ["referral.received"], "url"),
        ("https://[fd00::1]/hooks", ["referral.received"], "url"),
        ("https://[::ffff:10.0.0.1]/hooks", ["referral.received"], "url"),
        (PUBLIC, ["case.exploded"], "events"),
        (PUBLIC, [], "events"),
        (PUBLIC, ["share.started"], "events"),  # a force's event, for a charity
    ],
)
def test_bad_destinations_and_events_are_refused_and_nothing_is_made(
    as_supervisor, url, events, field
):
    response = _create(as_supervisor, url=url, events=events)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert not WebhookSubscription.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


def test_production_refuses_plain_http_and_loopback(as_supervisor, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    plain = _create(as_supervisor, url="http://93.184.215.14/hooks")
    assert plain.status_code == 400 and "HTTPS" in plain.json()["fields"]["url"][0]
    loopback = _create(as_supervisor, url="https://127.0.0.1:8443/hooks")
    assert loopback.status_code == 400 and "url" in loopback.json()["fields"]
    assert _create(as_supervisor).status_code == 201


def test_a_host_that_does_not_resolve_is_refused(as_supervisor):
    response = _create(as_supervisor, url="https://no-such-host.invalid/hooks")
    assert response.status_code == 400
    assert "resolve" in response.json()["fields"]["url"][0]


@pytest.mark.parametrize("fixture", ["as_caseworker", "as_isva", "as_charity_key"])
def test_other_callers_may_not_manage_webhooks(request, fixture, as_supervisor):
    subscription = _create(as_supervisor)
    assert subscription.status_code == 201
    client = request.getfixturevalue(fixture)
    expected = 401 if fixture == "as_charity_key" else 403
    assert client.get("/api/v1/webhooks/").status_code == expected
    assert _create(client).status_code == expected
    webhook = subscription.json()["id"]
    assert client.post(f"/api/v1/webhooks/{webhook}/rotate-secret/").status_code == expected
    assert client.get(f"/api/v1/webhooks/{webhook}/deliveries/").status_code == expected
    assert WebhookSubscription.objects.count() == 1
    assert as_supervisor.get("/api/v1/webhooks/").status_code == 200


def test_another_organisations_subscription_is_not_found(as_supervisor, other_charity):
    from ..conftest import client_for

    theirs = _create(client_for(SupervisorFactory(organisation=other_charity))).json()["id"]
    assert as_supervisor.get("/api/v1/webhooks/").json()["results"] == []
    for method, path in [
        ("get", f"/api/v1/webhooks/{theirs}/"),
        ("delete", f"/api/v1/webhooks/{theirs}/"),
        ("post", f"/api/v1/webhooks/{theirs}/rotate-secret/"),
        ("get", f"/api/v1/webhooks/{theirs}/deliveries/"),
    ]:
        assert getattr(as_supervisor, method)(path).status_code == 404, path
    response = edit(
        as_supervisor,
        f"/api/v1/webhooks/{theirs}/",
        {"active": False},
    )
    assert response.status_code == 404
    assert WebhookSubscription.objects.get(pk=theirs).active is True


def test_an_edit_needs_the_etag_and_changes_what_is_given(as_supervisor):
    webhook = _create(as_supervisor).json()["id"]
    url = f"/api/v1/webhooks/{webhook}/"
    assert as_supervisor.patch(url, {"active": False}, format="json").status_code == 428
    response = edit(as_supervisor, url, {"events": ["case.assigned"], "active": False})
    assert response.status_code == 200, response.json()
    assert response.json()["events"] == ["case.assigned"]
    assert response.json()["active"] is False
    stale = as_supervisor.patch(
        url, {"active": True}, format="json", HTTP_IF_MATCH=f'"{webhook}-1"'
    )
    assert stale.status_code == 412
    refused = edit(as_supervisor, url, {"url": "https://10.0.0.1/"})
    assert refused.status_code == 400 and "url" in refused.json()["fields"]
    event = AuditEvent.objects.get(action="webhook.update")
    assert sorted(event.changed_fields) == ["active", "events"]


def test_rotating_the_secret_signs_with_both_until_the_overlap_ends(as_supervisor):
    created = _create(as_supervisor).json()
    rotated = as_supervisor.post(f"/api/v1/webhooks/{created['id']}/rotate-secret/")
    assert rotated.status_code == 200, rotated.json()
    old, new = created["secret"], rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    assert rotated.json()["previous_secret_signs_until"] is not None
    subscription = WebhookSubscription.objects.get(pk=created["id"])
    body = '{"type":"referral.received"}'

    def verified_by(secret: str) -> bool:
        headers = signed_headers(
            message_id="msg_1", body=body, secrets_in_force=secrets_in_force(subscription)
        )
        assert len(headers["webhook-signature"].split(" ")) == len(secrets_in_force(subscription))
        try:
            Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True

    assert verified_by(old) and verified_by(new)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert verified_by(new)
        assert not verified_by(old)
    event = AuditEvent.objects.get(action="webhook.rotate_secret")
    assert old not in str(event.detail) and new not in str(event.detail)


def test_removing_a_subscription_is_audited(as_supervisor):
    webhook = _create(as_supervisor).json()["id"]
    assert as_supervisor.delete(f"/api/v1/webhooks/{webhook}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.delete").count() == 1
    assert as_supervisor.get(f"/api/v1/webhooks/{webhook}/").status_code == 404
