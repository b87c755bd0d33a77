"""Retention for what never became a case: referrals declined or left unaccepted, and clients
who never had a case, are anonymised after their organisation's own period (12 months unless a
supervisor sets another); a dry run lists them and changes nothing."""

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from casework.audit.models import AuditEvent
from casework.cases.models import Referral
from casework.cases.services.referrals import referral_accept, referral_decline
from casework.clients.models import Client
from casework.privacy.anonymise import REMOVED
from casework.privacy.tasks import apply_retention

from ...conftest import client_for
from ...editing import edit
from ...factories import (
    ClientFactory,
    OrganisationFactory,
    ReferralFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 15, 10, 0, tzinfo=UTC)
OVER_A_YEAR = datetime(2029, 6, 1, 10, 0, tzinfo=UTC)
UNDER_A_YEAR = datetime(2029, 7, 1, 10, 0, tzinfo=UTC)
FOUR_MONTHS = datetime(2030, 2, 10, 10, 0, tzinfo=UTC)
SETTINGS = "/api/v1/organisation-settings/"


def referral(staff, tag: str, *, declined: bool = False, accepted: bool = False) -> Referral:
    made = ReferralFactory(
        organisation=staff.organisation,
        actor=staff,
        source="outreach",
        summary=f"Robbed behind the arches {tag}",
        referrer_name=f"Outreach worker {tag}",
        person_pseudonym=f"Wren {tag}",
        contact_kind="mobile",
        contact_value="07700 900123",
        contact_safe_times=[{"days": ["mon"], "from": "10:00", "to": "12:00"}],
        offence_types=["robbery"],
    )
    if declined:
        referral_decline(
            referral=made, declined_by=staff, reason="out_of_area", note=f"Lives in Hull {tag}"
        )
    if accepted:
        referral_accept(referral=made, accepted_by=staff, new_client={"pseudonym": f"Wren {tag}"})
    made.refresh_from_db()
    return made


def at(moment: datetime, make, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return make(*args, **kwargs)


def lone_client(staff, tag: str) -> Client:
    return ClientFactory(
        created_by=staff, pseudonym=f"Starling {tag}", legal_name=f"Anna Example {tag}"
    )


def retention(*args) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def records(caseworker):
    return {
        "declined": at(OVER_A_YEAR, referral, caseworker, "A", declined=True),
        "waiting": at(OVER_A_YEAR, referral, caseworker, "B"),
        "accepted": at(OVER_A_YEAR, referral, caseworker, "C", accepted=True),
        "recent": at(UNDER_A_YEAR, referral, caseworker, "D", declined=True),
        "lone": at(OVER_A_YEAR, lone_client, caseworker, "E"),
        "lone_recent": at(UNDER_A_YEAR, lone_client, caseworker, "F"),
    }


def assert_referral_anonymised(pk) -> None:
    row = Referral.objects.get(pk=pk)
    assert row.anonymised_at is not None
    assert row.summary == REMOVED
    assert (row.referrer_name, row.person_pseudonym, row.contact_value) == (None, None, None)
    assert row.decline_note is None
    assert row.contact_safe_times == []
    # The facts stay.
    assert (row.source, row.offence_types, row.contact_kind) == ("outreach", ["robbery"], "mobile")


def assert_referral_kept(pk, tag: str) -> None:
    row = Referral.objects.get(pk=pk)
    assert row.anonymised_at is None
    assert row.summary == f"Robbed behind the arches {tag}"
    assert row.person_pseudonym == f"Wren {tag}"


def test_the_dry_run_lists_them_and_changes_nothing(records):
    output = retention("--dry-run")

    assert f"would anonymise referral {records['declined'].pk}" in output
    assert "declined since 2029-06-01" in output
    assert f"would anonymise referral {records['waiting'].pk}" in output
    assert "never accepted since 2029-06-01" in output
    assert f"would anonymise client {records['lone'].pk}" in output
    for kept in ("accepted", "recent", "lone_recent"):
        assert str(records[kept].pk) not in output
    assert "0 case(s), 2 referral(s) and 1 client(s) without a case due" in output
    assert_referral_kept(records["declined"].pk, "A")
    assert Client.objects.get(pk=records["lone"].pk).anonymised_at is None
    assert not AuditEvent.objects.filter(action="referral.anonymise").exists()


def test_what_never_became_a_case_is_anonymised_after_twelve_months(records):
    output = retention()

    assert "Anonymised 0 case(s), 2 referral(s) and 1 client(s)." in output
    assert_referral_anonymised(records["declined"].pk)
    assert_referral_anonymised(records["waiting"].pk)
    assert_referral_kept(records["recent"].pk, "D")
    assert_referral_kept(records["accepted"].pk, "C")
    lone = Client.objects.get(pk=records["lone"].pk)
    assert lone.anonymised_at is not None
    assert (lone.pseudonym, lone.legal_name) == ("Anonymised", None)
    recent = Client.objects.get(pk=records["lone_recent"].pk)
    assert recent.anonymised_at is None and recent.pseudonym == "Starling F"
    events = AuditEvent.objects.filter(action="referral.anonymise")
    assert {e.object_id for e in events} == {
        str(records["declined"].pk),
        str(records["waiting"].pk),
    }
    assert "arches" not in str([e.detail for e in events])
    # A second run has nothing left to do.
    assert "Anonymised 0 case(s), 0 referral(s) and 0 client(s)." in retention()


def test_the_task_does_the_same(records):
    with time_machine.travel(NOW, tick=False):
        result = apply_retention()
    assert result == {"cases": 0, "clients": 1, "referrals": 2, "clients_without_a_case": 1}
    assert_referral_anonymised(records["declined"].pk)


def test_each_organisation_sets_its_own_period(supervisor, caseworker):
    other_staff = UserFactory(organisation=OrganisationFactory())
    ours = at(FOUR_MONTHS, referral, caseworker, "G", declined=True)
    theirs = at(FOUR_MONTHS, referral, other_staff, "H", declined=True)
    with time_machine.travel(NOW, tick=False):
        api = client_for(supervisor)
        assert api.get(SETTINGS).json()["unconverted_retention_months"] == 12
        # Shorter: one supervisor proposes, a second approves.
        proposal = api.post(
            f"{SETTINGS}retention-proposals/",
            {"unconverted_retention_months": 3, "reason": "Agreed by the trustees."},
            format="json",
        )
        assert proposal.status_code == 201, proposal.json()
        second = client_for(SupervisorFactory(organisation=supervisor.organisation))
        approved = second.post(f"/api/v1/approvals/{proposal.json()['id']}/approve/")
        assert approved.status_code == 200, approved.json()
        response = api.get(SETTINGS)
    assert response.json()["unconverted_retention_months"] == 3

    retention()

    assert_referral_anonymised(ours.pk)
    assert_referral_kept(theirs.pk, "H")


@pytest.mark.parametrize("months", [0, 121, "twelve"])
def test_a_period_out_of_bounds_is_refused(as_supervisor, supervisor, months):
    response = edit(as_supervisor, SETTINGS, {"unconverted_retention_months": months})
    assert response.status_code == 400
    assert "unconverted_retention_months" in response.json()["fields"]
    supervisor.organisation.refresh_from_db()
    assert supervisor.organisation.unconverted_retention_months == 12
