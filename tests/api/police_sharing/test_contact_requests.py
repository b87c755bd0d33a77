"""Police ask to reach the person behind a shared case, anonymous ones included; the charity asks
the client and records the answer; the force learns only that answer (and, on yes, the one route
the client chose), never the reason and nothing else from the case."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.contact_requests.models import ContactRequest
from casework.disclosures.models import Disclosure
from casework.reminders.models import Reminder
from casework.sharing.models import ConsentDecision, SharedCase

from ...conftest import client_for
from ...factories import (
    ClientFactory,
    ContactMethodFactory,
    SharedCaseFactory,
    SupervisorFactory,
)
from .world import (
    CONTACT_NOTE,
    EMAIL,
    INTERNAL_NOTE,
    LEGAL_NAME,
    PHONE,
    PHONE_E164,
    PSEUDONYM,
    SHARED,
    assert_absent,
    consent,
    detail,
    open_case,
    timeline,
    withdraw,
)

pytestmark = pytest.mark.django_db

ROUTE_PHONE = "07700 900982"
ROUTE_PHONE_E164 = "+447700900982"
CLIENT_REASON = "She wants it over with before her sister visits"
EXPLANATION = "The officer in the case needs a statement about the robbery on the arches."

FORCE_KEYS = {
    "id",
    "purpose",
    "explanation",
    "urgency",
    "preferred_contact",
    "window_from",
    "window_until",
    "requested_at",
    "status",
    "answer",
}


def requests_of(share) -> str:
    return f"{SHARED}{share.id}/contact-requests/"


def on_case(case) -> str:
    return f"/api/v1/cases/{case.id}/contact-requests/"


def ask(api, share, **extra):
    now = timezone.now()
    body = {
        "purpose": "take_statement",
        "explanation": EXPLANATION,
        "urgency": "routine",
        "preferred_contact": "phone_call",
        "window_from": now.isoformat(),
        "window_until": (now + timedelta(days=10)).isoformat(),
        **extra,
    }
    return api.post(requests_of(share), body, format="json")


def asked(api, share, **extra) -> dict:
    response = ask(api, share, **extra)
    assert response.status_code == 201, response.json()
    return response.json()


def answer(api, case, request_id, **body):
    return api.post(f"{on_case(case)}{request_id}/answer/", body, format="json")


def answered(api, case, request_id, **body) -> dict:
    response = answer(api, case, request_id, **body)
    assert response.status_code == 200, response.json()
    return response.json()


def force_view(api, share, request_id) -> dict:
    response = api.get(f"{requests_of(share)}{request_id}/")
    assert response.status_code == 200, response.json()
    return response.json()


def police_route(case, value=ROUTE_PHONE):
    """A mobile the client marked as one police may use, safe to call."""
    return ContactMethodFactory(
        client=case.client, kind="mobile", value=value, safe_to_call=True, police_may_use=True
    )


def open_reminders(user, kind="contact_request"):
    return list(Reminder.objects.filter(assignee=user, kind=kind, status="open"))


def assert_refused(response, field, status=400):
    assert response.status_code == status, response.json()
    body = response.json()
    assert field in body["fields"], body
    assert body["message"]
    return body


@pytest.fixture
def as_caseworker(caseworker):
    return client_for(caseworker)


@pytest.fixture
def as_police(police_liaison):
    return client_for(police_liaison)


# The whole journey, on an anonymous share


def test_a_force_reaches_the_reporter_of_an_anonymous_share_only_by_the_number_they_chose(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    route = police_route(case)

    request = asked(as_police, share)
    assert set(request) == FORCE_KEYS
    assert (request["status"], request["answer"]) == ("open", None)

    # The case's caseworker is reminded at once, and the request is on the case's timeline.
    [reminder] = open_reminders(caseworker)
    assert reminder.case_id == case.pk
    assert reminder.detail == {"contact_request": request["id"], "urgency": "routine"}
    mine = as_caseworker.get("/api/v1/reminders/").json()["results"]
    assert [r["kind"] for r in mine] == ["contact_request"]
    [item] = [i for i in timeline(as_caseworker, case) if i["kind"] == "contact_request"]
    assert item["id"] == request["id"]
    assert item["data"]["status"] == "open"
    assert item["data"]["share_reference"] == share.share_reference

    # The charity reads it in full on the case.
    listed = as_caseworker.get(on_case(case)).json()["results"]
    assert [(r["id"], r["explanation"], r["status"]) for r in listed] == [
        (request["id"], EXPLANATION, "open")
    ]

    # A direct route on an anonymous share needs the caseworker's acknowledgement first.
    refused = answer(
        as_caseworker,
        case,
        request["id"],
        outcome="agreed",
        route="contact_method",
        contact_method=str(route.pk),
    )
    body = assert_refused(refused, "acknowledge_identifying_route")
    assert "anonymous" in " ".join(body["fields"]["acknowledge_identifying_route"])
    assert ContactRequest.objects.get(pk=request["id"]).status == "open"
    assert not ConsentDecision.objects.filter(
        case=case, scope="police_may_contact_directly"
    ).exists()

    recorded = answered(
        as_caseworker,
        case,
        request["id"],
        outcome="agreed",
        route="contact_method",
        contact_method=str(route.pk),
        acknowledge_identifying_route=True,
        client_reason=CLIENT_REASON,
    )
    assert (recorded["status"], recorded["route"]) == ("agreed", "contact_method")
    assert recorded["client_reason"] == CLIENT_REASON

    # The answer is a decision in the consent ledger, for this force.
    decision = ConsentDecision.objects.get(case=case, scope="police_may_contact_directly")
    assert (decision.granted, decision.police_force_id) == (True, police_force.pk)
    assert recorded["consent_decision"] == str(decision.public_id)
    # The share stays anonymous: same share, same level, no identity, no contact section.
    share.refresh_from_db()
    assert (share.status, share.level) == ("active", "anonymous")
    shown = as_police.get(detail(share)).json()
    assert (shown["identity"], shown["contact"]) == (None, None)

    # The force sees yes and that one number, and nothing else.
    response = as_police.get(f"{requests_of(share)}{request['id']}/")
    seen = response.json()
    assert set(seen) == FORCE_KEYS
    assert seen["status"] == "agreed"
    assert seen["answer"] == {
        "outcome": "agreed",
        "route": "contact_method",
        "contact": {
            "kind": "mobile",
            "value": ROUTE_PHONE_E164,
            "safe_to_call": True,
            "safe_to_text": False,
            "safe_to_voicemail": False,
            "safe_times": [],
        },
    }
    assert_absent(
        response.content,
        CLIENT_REASON,
        PHONE,
        PHONE_E164,
        EMAIL,
        LEGAL_NAME,
        PSEUDONYM,
        INTERNAL_NOTE,
        CONTACT_NOTE,
        case.reference,
        str(case.pk),
        str(case.client_id),
    )
    # The list says no more than the detail.
    listed = as_police.get(requests_of(share)).json()["results"]
    assert listed == [seen]
    # The charity sees exactly what the force was told.
    on_record = as_caseworker.get(f"{on_case(case)}{request['id']}/").json()
    assert on_record["told_to_force"] == seen["answer"]
    # What left the charity is kept as sent: the answer is a disclosure of the case.
    disclosures = as_caseworker.get(f"/api/v1/cases/{case.pk}/disclosures/").json()["results"]
    [kept] = [d for d in disclosures if d["kind"] == "contact_request_answer"]
    content = as_caseworker.get(f"/api/v1/cases/{case.pk}/disclosures/{kept['id']}/").json()
    assert json.loads(content["content"]) == seen["answer"]

    # The answer is on the case's timeline too, with who recorded it.
    [item] = [i for i in timeline(as_caseworker, case) if i["kind"] == "contact_request_answer"]
    assert (item["id"], item["actor"]) == (request["id"], caseworker.username)
    assert item["data"] == {
        "outcome": "agreed",
        "route": "contact_method",
        "police_force": police_force.name,
        "share_reference": share.share_reference,
    }

    # The reminder ended with the answer; every step is in the charity's audit trail.
    assert open_reminders(caseworker) == []
    actions = set(AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"contact_request.create", "contact_request.answer", "consent.record"} <= actions
    assert "shared_case.contact_requests.read" in actions


def test_once_the_client_withdraws_direct_contact_the_force_no_longer_sees_the_route(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    route = police_route(case)
    request = asked(as_police, share)
    answered(
        as_caseworker,
        case,
        request["id"],
        outcome="agreed",
        route="contact_method",
        contact_method=str(route.pk),
    )
    assert force_view(as_police, share, request["id"])["answer"]["contact"]["value"] == (
        ROUTE_PHONE_E164
    )
    consent(as_caseworker, case, "police_may_contact_directly", granted=False, force=police_force)
    response = as_police.get(f"{requests_of(share)}{request['id']}/")
    assert response.json()["answer"] == {"outcome": "agreed", "route": "contact_method"}
    assert_absent(response.content, ROUTE_PHONE_E164)


def test_a_declined_request_shows_the_force_only_that_it_was_declined(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    police_route(case)
    first = asked(as_police, share)
    answered(as_caseworker, case, first["id"], outcome="declined")
    second = asked(as_police, share, purpose="safety_warning", urgency="urgent")
    answered(as_caseworker, case, second["id"], outcome="declined", client_reason=CLIENT_REASON)
    response = as_police.get(f"{requests_of(share)}{second['id']}/")
    seen = response.json()
    assert set(seen) == FORCE_KEYS
    assert (seen["status"], seen["answer"]) == ("declined", {"outcome": "declined"})
    assert_absent(
        Disclosure.objects.filter(case=case, kind="contact_request_answer")
        .latest("id")
        .content.encode(),
        CLIENT_REASON,
    )
    assert_absent(response.content, CLIENT_REASON, ROUTE_PHONE_E164, PHONE_E164, EMAIL)
    # Declining grants nothing.
    assert not ConsentDecision.objects.filter(
        case=case, scope="police_may_contact_directly"
    ).exists()


def test_through_the_charity_gives_the_charitys_contact_and_no_direct_contact(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    police_route(case)
    request = asked(as_police, share, preferred_contact="meeting")
    answered(as_caseworker, case, request["id"], outcome="agreed", route="through_charity")
    seen = force_view(as_police, share, request["id"])
    assert seen["answer"] == {
        "outcome": "agreed",
        "route": "through_charity",
        "contact": {
            "organisation": case.organisation.name,
            "contact_through": caseworker.get_full_name() or caseworker.username,
            "email": caseworker.email,
        },
    }
    share.refresh_from_db()
    assert share.contact_directly is False
    assert not ConsentDecision.objects.filter(
        case=case, scope="police_may_contact_directly"
    ).exists()


def test_not_reachable_needs_an_attempt_logged_since_the_request(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)  # reached an hour ago, before the request
    share = SharedCaseFactory(case=case, police_force=police_force)
    request = asked(as_police, share)
    body = assert_refused(
        answer(as_caseworker, case, request["id"], outcome="not_reachable"), "outcome"
    )
    assert "attempt" in " ".join(body["fields"]["outcome"])
    logged = as_caseworker.post(
        f"/api/v1/cases/{case.id}/contacts/",
        {
            "channel": "phone_call",
            "direction": "outbound",
            "outcome": "no_answer",
            "occurred_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert logged.status_code == 201, logged.json()
    answered(as_caseworker, case, request["id"], outcome="not_reachable")
    seen = force_view(as_police, share, request["id"])
    assert (seen["status"], seen["answer"]) == ("not_reachable", {"outcome": "not_reachable"})


# Bad input


def test_a_route_not_marked_for_police_or_of_another_client_is_refused(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    request = asked(as_police, share)
    email = case.client.contact_methods.get(kind="email")  # not marked for police
    stranger = ClientFactory(created_by=caseworker)
    theirs = ContactMethodFactory(
        client=stranger, kind="mobile", safe_to_call=True, police_may_use=True
    )
    for method in (email, theirs):
        body = assert_refused(
            answer(
                as_caseworker,
                case,
                request["id"],
                outcome="agreed",
                route="contact_method",
                contact_method=str(method.pk),
            ),
            "contact_method",
        )
        assert body["fields"]["contact_method"][0]
    assert_refused(
        answer(as_caseworker, case, request["id"], outcome="agreed", route="contact_method"),
        "contact_method",
    )
    assert_refused(answer(as_caseworker, case, request["id"], outcome="agreed"), "route")
    assert_refused(
        answer(as_caseworker, case, request["id"], outcome="declined", route="through_charity"),
        "route",
    )
    assert ContactRequest.objects.get(pk=request["id"]).status == "open"
    assert not ConsentDecision.objects.filter(
        case=case, scope="police_may_contact_directly"
    ).exists()


def test_a_bad_window_is_refused(caseworker, as_police, police_force):
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    now = timezone.now()
    assert_refused(
        ask(
            as_police,
            share,
            window_from=now.isoformat(),
            window_until=(now - timedelta(hours=1)).isoformat(),
        ),
        "window_until",
    )
    assert_refused(ask(as_police, share, purpose="arrest"), "purpose")
    assert not ContactRequest.objects.exists()


def test_a_request_on_an_ended_share_or_another_forces_share_is_not_found(
    caseworker, as_caseworker, as_police, as_other_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    assert ask(as_other_police, share).status_code == 404
    withdraw(as_caseworker, case, police_force)
    assert ask(as_police, share).status_code == 404
    assert not ContactRequest.objects.exists()


def test_a_withdrawn_request_cannot_be_answered_or_withdrawn_again(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    route = police_route(case)
    request = asked(as_police, share)
    response = as_police.post(f"{requests_of(share)}{request['id']}/withdraw/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "withdrawn"
    assert open_reminders(caseworker) == []
    refused = answer(
        as_caseworker,
        case,
        request["id"],
        outcome="agreed",
        route="contact_method",
        contact_method=str(route.pk),
    )
    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "contact_request_closed"
    assert "withdrawn" in refused.json()["message"]
    again = as_police.post(f"{requests_of(share)}{request['id']}/withdraw/")
    assert again.status_code == 409
    assert not ConsentDecision.objects.filter(
        case=case, scope="police_may_contact_directly"
    ).exists()


def test_an_answered_request_is_not_answered_twice(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    request = asked(as_police, share)
    answered(as_caseworker, case, request["id"], outcome="declined")
    again = answer(as_caseworker, case, request["id"], outcome="agreed", route="through_charity")
    assert again.status_code == 409
    assert force_view(as_police, share, request["id"])["answer"] == {"outcome": "declined"}


# Who hears of it


def test_an_urgent_request_reaches_the_supervisors_at_once(
    caseworker, supervisor, as_police, police_force
):
    other_supervisor = SupervisorFactory(organisation=caseworker.organisation)
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    routine = asked(as_police, share)
    assert open_reminders(supervisor) == []
    urgent = asked(as_police, share, urgency="urgent")
    for person in (supervisor, other_supervisor):
        [reminder] = open_reminders(person)
        assert reminder.detail["contact_request"] == urgent["id"]
    assert {r.detail["contact_request"] for r in open_reminders(caseworker)} == {
        routine["id"],
        urgent["id"],
    }


# Withdrawal of sharing


def test_withdrawal_of_sharing_closes_open_requests_and_the_force_learns_only_that(
    caseworker, as_caseworker, as_police, police_force
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    first = asked(as_police, share)
    second = asked(as_police, share, urgency="urgent")
    declined = asked(as_police, share)
    answered(as_caseworker, case, declined["id"], outcome="declined")

    withdraw(as_caseworker, case, police_force)

    statuses = {r.pk: r.status for r in ContactRequest.objects.filter(case=case)}
    assert {str(k): v for k, v in statuses.items()} == {
        first["id"]: "closed",
        second["id"]: "closed",
        declined["id"]: "declined",
    }
    assert open_reminders(caseworker) == []
    assert not Reminder.objects.filter(kind="contact_request", status="open").exists()
    closes = AuditEvent.objects.filter(case_id=case.pk, action="contact_request.close")
    assert closes.count() == 2
    # The force no longer reaches the share or its requests.
    assert as_police.get(requests_of(share)).status_code == 404
    assert as_police.get(f"{requests_of(share)}{first['id']}/").status_code == 404
    # What it is told: the share ended, and these requests with it, and nothing else.
    response = as_police.get(f"{SHARED}ended/")
    [ended] = response.json()["results"]
    assert set(ended) == {"share_reference", "ended_on", "closed_contact_requests"}
    assert sorted(ended["closed_contact_requests"]) == sorted([first["id"], second["id"]])
    # The charity sees them closed, and an answer now is refused.
    refused = answer(as_caseworker, case, first["id"], outcome="declined")
    assert refused.status_code == 409
    assert SharedCase.objects.get(pk=share.pk).status == "ended"
