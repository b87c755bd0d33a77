"""The factories build through the services, so what a test is handed is what the application
would have made: audit events, assignments and the permissions they grant, and police shares
derived from real consent decisions."""

import pytest

from casework.audit.models import AuditEvent
from casework.cases.models import CaseAssignment, CaseTransition
from casework.sharing.models import ConsentDecision

from .conftest import client_for
from .factories import (
    CLIENT_MOBILE,
    CaseFactory,
    ClientFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    IsvaFactory,
    PoliceLiaisonFactory,
    ReferralFactory,
    SharedCaseFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db


def actions_on(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_client_is_registered_by_staff_of_their_charity_with_its_audit_event(caseworker):
    client = ClientFactory(created_by=caseworker, pseudonym="Wren")
    assert (client.organisation, client.created_by, client.pseudonym) == (
        caseworker.organisation,
        caseworker,
        "Wren",
    )
    assert client.pseudonym_hash
    assert actions_on(client) == ["client.create"]


def test_a_client_of_a_charity_alone_is_registered_by_a_new_member_of_its_staff(charity):
    client = ClientFactory(organisation=charity)
    assert client.organisation == client.created_by.organisation == charity


def test_a_reachable_client_has_one_preferred_mobile_safe_to_text(caseworker):
    client = ClientFactory(created_by=caseworker, reachable=True)
    [mobile] = client.contact_methods.all()
    assert (mobile.kind, mobile.preferred, mobile.safe_to_text) == ("mobile", True, True)
    assert mobile.value == "+44" + CLIENT_MOBILE.replace(" ", "")[1:]
    assert actions_on(mobile) == ["contact_method.create"]


def test_a_contact_method_is_added_by_whoever_registered_the_client(caseworker):
    method = ContactMethodFactory(client__created_by=caseworker, kind="email", value="a@b.org")
    assert (method.created_by, method.value, method.value_hash != "") == (
        caseworker,
        "a@b.org",
        True,
    )


def test_a_case_is_opened_through_the_service_and_its_staff_see_it(caseworker, charity):
    isva = IsvaFactory(organisation=charity)
    case = CaseFactory(opened_by=caseworker, assigned_to=[isva], offence_types=["robbery"])
    assert case.organisation == case.client.organisation == charity
    assert case.client.created_by == caseworker
    assert case.reference.startswith(charity.code)
    assert set(CaseAssignment.objects.filter(case=case).values_list("user", "role")) == {
        (caseworker.pk, "caseworker"),
        (isva.pk, "isva"),
    }
    assert actions_on(case) == ["case.create"]
    for person in (caseworker, isva, SupervisorFactory(organisation=charity)):
        assert client_for(person).get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_case_moved_on_in_support_went_through_the_lifecycle(caseworker):
    case = CaseFactory(opened_by=caseworker, pseudonym="Lark", reachable=True, support="active")
    assert case.support_status == "active"
    assert case.client.pseudonym == "Lark"
    assert case.client.contact_methods.get().preferred
    [step] = CaseTransition.objects.filter(case=case)
    assert (step.from_state, step.to_state, step.actor) == ("referred", "active", caseworker)


def test_a_share_is_derived_from_the_consent_decisions_that_make_it(caseworker, police_force):
    share = SharedCaseFactory(case__opened_by=caseworker, police_force=police_force)
    assert (share.status, share.level, share.contact_directly) == ("active", "identified", False)
    ledger = ConsentDecision.objects.filter(case=share.case).order_by("recorded_at", "id")
    assert [(d.scope, d.police_force_id, d.recorded_by) for d in ledger] == [
        ("store_records", None, caseworker),
        ("share_with_police", police_force.pk, caseworker),
    ]
    police = client_for(PoliceLiaisonFactory(organisation=police_force))
    assert police.get(f"/api/v1/shared-cases/{share.pk}/").status_code == 200


def test_an_anonymous_share_and_one_police_may_contact_directly(caseworker, police_force):
    anonymous = SharedCaseFactory(
        case__opened_by=caseworker, police_force=police_force, level="anonymous"
    )
    direct = SharedCaseFactory(
        case__opened_by=caseworker, police_force=police_force, contact_directly=True
    )
    assert (anonymous.level, anonymous.contact_directly) == ("anonymous", False)
    assert (direct.level, direct.contact_directly) == ("identified", True)


def test_a_referral_is_received_by_the_charity_with_its_audit_event(charity):
    referral = ReferralFactory(organisation=charity, offence_types=["theft"])
    assert referral.organisation == referral.created_by.organisation == charity
    assert (referral.status, referral.offence_types) == ("new", ["theft"])
    assert actions_on(referral) == ["referral.create"]


def test_a_contact_and_a_hearing_are_recorded_on_the_case_by_whoever_opened_it(caseworker):
    case = CaseFactory(opened_by=caseworker)
    entry = ContactLogEntryFactory(case=case)
    event = CourtEventFactory(case=case, attendees=[caseworker])
    assert (entry.recorded_by, entry.outcome) == (caseworker, "no_answer")
    assert (event.created_by, event.hearing_type, list(event.attendees.all())) == (
        caseworker,
        "first_hearing",
        [caseworker],
    )
