"""A client generated from the committed schema (openapi-python-client) drives a referral → case →
contact → consent → police share journey against the live application. The generated code
parses every answer into the models the schema describes, so a schema that lies about a field,
a status or an enumeration fails here, as it would fail the other systems that rely on it."""

import datetime
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from .factories import PASSWORD, PoliceForceFactory, PoliceLiaisonFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "docs" / "openapi" / "openapi.yaml"
PACKAGE = "casework_client"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated afresh from the committed schema and imported."""
    where = tmp_path_factory.mktemp("generated")
    config = where / "config.yaml"
    config.write_text("post_hooks: []\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(  # noqa: S603
        [
            str(generator),
            "generate",
            "--path",
            str(SCHEMA),
            "--meta",
            "none",
            "--output-path",
            str(where / PACKAGE),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unable to" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def _sign_in(generated, base_url: str, username: str):
    models = _module("models")
    login = _module("api.auth.auth_login_create")
    answer = login.sync(
        client=generated.Client(base_url=base_url),
        body=models.LoginInputRequest.from_dict({"username": username, "password": PASSWORD}),
    )
    assert isinstance(answer, models.LoginOutput), answer
    return generated.AuthenticatedClient(base_url=base_url, token=answer.token, prefix="Token")


def test_a_generated_client_carries_a_case_from_referral_to_a_police_share(generated, live_server):
    models = _module("models")
    caseworker = UserFactory()
    force = PoliceForceFactory()
    officer = PoliceLiaisonFactory(organisation=force)
    charity = _sign_in(generated, live_server.url, caseworker.username)

    referral = _module("api.referrals.referrals_create").sync(
        client=charity,
        body=models.ReferralInputRequest.from_dict(
            {
                "source": "outreach",
                "summary": "Robbed after a booking",
                "offence_types": ["robbery"],
            }
        ),
    )
    assert isinstance(referral, models.ReferralOutput), referral

    case = _module("api.referrals.referrals_accept_create").sync(
        referral.id,
        client=charity,
        body=models.ReferralAcceptInputRequest.from_dict({"new_client": {"pseudonym": "Wren"}}),
    )
    assert isinstance(case, models.CaseDetail), case

    moved = _module("api.cases.cases_transitions_create").sync(
        case.id,
        client=charity,
        body=models.TransitionInputRequest.from_dict(
            {"lifecycle": "support", "to": "active", "reason": "Engaged with support."}
        ),
    )
    assert isinstance(moved, models.CaseDetail), moved
    assert moved.support_status == "active"

    # An edit sends the ETag its read answered; the schema makes If-Match a required argument.
    read = _module("api.cases.cases_retrieve").sync_detailed(case.id, client=charity)
    etag = read.headers["ETag"]
    edit = _module("api.cases.cases_partial_update")
    edited = edit.sync(
        case.id,
        client=charity,
        body=models.PatchedCaseUpdateInputRequest.from_dict({"risk_level": "high"}),
        if_match=etag,
    )
    assert isinstance(edited, models.CaseDetail), edited
    assert edited.risk_level == "high"
    stale = edit.sync_detailed(
        case.id,
        client=charity,
        body=models.PatchedCaseUpdateInputRequest.from_dict({"risk_level": "medium"}),
        if_match=etag,
    )
    assert stale.status_code == 412

    contact_body = models.ContactCreateInputRequest.from_dict(
        {
            "occurred_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "channel": "phone_call",
            "direction": "outbound",
            "outcome": "reached",
        }
    )
    log_contact = _module("api.cases.cases_contacts_create").sync
    contact = log_contact(case.id, client=charity, body=contact_body, idempotency_key="call-1")
    assert isinstance(contact, models.ContactOutput), contact
    # A retry after a lost answer gets the same entry back; nothing is logged twice.
    again = log_contact(case.id, client=charity, body=contact_body, idempotency_key="call-1")
    assert isinstance(again, models.ContactOutput), again
    assert again.id == contact.id

    record_consent = _module("api.cases.cases_consents_create").sync
    for scope, force_id in (("store_records", None), ("share_with_police", str(force.pk))):
        body = {"scope": scope, "granted": True, "method": "verbal"}
        if force_id:
            body["police_force"] = force_id
        ledger = record_consent(
            str(case.id),
            client=charity,
            body=models.ConsentDecisionInputRequest.from_dict(body),
        )
        assert isinstance(ledger, models.ConsentLedgerOutput), ledger

    police = _sign_in(generated, live_server.url, officer.username)
    shares = _module("api.shared_cases.shared_cases_list").sync(client=police)
    assert isinstance(shares, models.PaginatedSharedCaseListItemList), shares
    [listed] = shares.results
    share = _module("api.shared_cases.shared_cases_retrieve").sync(listed.id, client=police)
    assert isinstance(share, models.SharedCaseDetail), share
    assert share.level == "identified"
    assert share.identity.pseudonym == "Wren"


def test_the_schema_lists_the_states_a_case_can_move_to(generated):
    models = _module("models")
    with pytest.raises(ValueError):
        models.TransitionInputRequest.from_dict(
            {"lifecycle": "support", "to": "on_the_moon", "reason": "Not a state."}
        )
