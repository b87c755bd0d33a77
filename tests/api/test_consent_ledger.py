"""The consent ledger: every decision a client makes is appended with who recorded it, when and
how; the current state is derived from it; a grant needs what it rests on, and a refusal takes
down what rested on it. Nothing is ever edited or deleted."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.sharing.models import ConsentDecision, SharedCase

from ..conftest import client_for
from ..factories import CaseFactory, PoliceForceFactory, UserFactory

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)
NON_POLICE_SCOPES = ["store_records", "support_prosecution", "warn_others"]


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin")


@pytest.fixture
def other_force(db):
    return PoliceForceFactory()


def url(case) -> str:
    return f"/api/v1/cases/{case.id}/consents/"


def decide(api, case, scope, granted=True, force=None, method="verbal", **extra):
    body = {"scope": scope, "granted": granted, "method": method, **extra}
    if force is not None:
        body["police_force"] = str(force.id)
    return api.post(url(case), body, format="json")


def ok(response):
    assert response.status_code == 201, response.json()
    return response.json()


def current_row(payload, scope, force=None):
    force_id = str(force.id) if force is not None else None
    rows = [
        row
        for row in payload["current"]
        if row["scope"] == scope and (row["police_force"] or {}).get("id") == force_id
    ]
    assert len(rows) == 1, payload["current"]
    return rows[0]


def state_of(payload, scope, force=None) -> str:
    return current_row(payload, scope, force)["state"]


def assert_refused(response, field):
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"], body
    assert body["message"] and body["request_id"]
    return body


class Snapshot:
    """What a refused request must leave untouched."""

    def __init__(self, case):
        self.case = case
        self.decisions = list(
            ConsentDecision.objects.filter(case=case).values_list("id", flat=True)
        )
        self.audit = AuditEvent.objects.filter(action="consent.record").count()
        self.shares = list(SharedCase.objects.filter(case=case).values_list("id", "status"))

    def assert_unchanged(self):
        after = list(ConsentDecision.objects.filter(case=self.case).values_list("id", flat=True))
        assert after == self.decisions
        assert AuditEvent.objects.filter(action="consent.record").count() == self.audit
        shares = list(SharedCase.objects.filter(case=self.case).values_list("id", "status"))
        assert shares == self.shares


# Recording and reading the ledger


def test_a_decision_is_recorded_with_who_when_and_how(as_caseworker, case, caseworker):
    before = timezone.now()
    review = timezone.localdate() + timedelta(days=90)
    payload = ok(
        decide(
            as_caseworker,
            case,
            "store_records",
            method="written",
            review_date=review.isoformat(),
            note="Signed the form at the drop-in",
        )
    )
    after = timezone.now()
    [entry] = payload["history"]
    assert entry["scope"] == "store_records"
    assert entry["granted"] is True
    assert entry["method"] == "written"
    assert entry["recorded_by"] == caseworker.username
    assert entry["review_date"] == review.isoformat()
    assert entry["note"] == "Signed the form at the drop-in"
    assert entry["police_force"] is None
    assert entry["follows_from"] is None
    stored = ConsentDecision.objects.get(case=case)
    assert str(stored.public_id) == entry["id"]
    assert stored.recorded_by == caseworker
    assert before <= stored.recorded_at <= after
    assert (stored.method, stored.granted, stored.review_date) == ("written", True, review)


def test_history_lists_every_decision_newest_first(as_caseworker, case, police_force):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "warn_others", method="electronic"))
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    ok(decide(as_caseworker, case, "warn_others", granted=False))
    response = as_caseworker.get(url(case))
    assert response.status_code == 200
    history = response.json()["history"]
    assert [(h["scope"], h["granted"]) for h in history] == [
        ("warn_others", False),
        ("share_with_police", True),
        ("warn_others", True),
        ("store_records", True),
    ]
    ids = list(ConsentDecision.objects.filter(case=case).order_by("-id").values_list("public_id"))
    assert [h["id"] for h in history] == [str(i) for (i,) in ids]
    assert history[1]["police_force"]["id"] == str(police_force.id)
    assert history[2]["method"] == "electronic"


def test_a_case_with_no_decisions_shows_every_non_police_scope_as_not_asked(as_caseworker, case):
    response = as_caseworker.get(url(case))
    assert response.status_code == 200
    payload = response.json()
    assert payload["history"] == []
    assert {row["scope"]: row["state"] for row in payload["current"]} == {
        "store_records": "not_asked",
        "support_prosecution": "not_asked",
        "warn_others": "not_asked",
    }
    for row in payload["current"]:
        assert row["decision"] is None and row["police_force"] is None


def test_current_shows_the_latest_decision_per_scope(as_caseworker, case):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "warn_others"))
    payload = ok(decide(as_caseworker, case, "warn_others", granted=False))
    latest = payload["history"][0]
    assert current_row(payload, "warn_others")["decision"] == latest["id"]
    assert state_of(payload, "warn_others") == "refused"
    assert state_of(payload, "store_records") == "granted"
    assert state_of(payload, "support_prosecution") == "not_asked"
    assert len([r for r in payload["current"] if r["scope"] == "warn_others"]) == 1


def test_current_is_kept_per_police_force(as_caseworker, case, police_force, other_force):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    ok(decide(as_caseworker, case, "share_with_police", force=other_force))
    payload = ok(decide(as_caseworker, case, "share_with_police", granted=False, force=other_force))
    assert state_of(payload, "share_with_police", police_force) == "granted"
    assert state_of(payload, "share_with_police", other_force) == "refused"
    # Police scopes nobody asked about have no row at all (they need a force to mean anything).
    assert not [r for r in payload["current"] if r["scope"] == "police_may_contact_directly"]
    assert [r["scope"] for r in payload["current"]].count("share_with_police") == 2


def test_a_grant_past_its_review_date_shows_as_lapsed(as_caseworker, case, caseworker):
    review = timezone.localdate() + timedelta(days=10)
    payload = ok(decide(as_caseworker, case, "store_records", review_date=review.isoformat()))
    assert state_of(payload, "store_records") == "granted"
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        on_the_day = client_for(caseworker).get(url(case)).json()
        assert state_of(on_the_day, "store_records") == "granted"
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        later = client_for(caseworker).get(url(case))
        assert later.status_code == 200
        row = current_row(later.json(), "store_records")
        assert row["state"] == "lapsed"
        assert row["review_date"] == review.isoformat()


def test_a_lapsed_grant_no_longer_supports_what_depends_on_it(case, caseworker):
    review = timezone.localdate() + timedelta(days=3)
    ok(decide(client_for(caseworker), case, "store_records", review_date=review.isoformat()))
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        api = client_for(caseworker)
        snapshot = Snapshot(case)
        assert_refused(decide(api, case, "warn_others"), "scope")
        snapshot.assert_unchanged()


# Dependencies


@pytest.mark.parametrize(
    ("scope", "needs_force"),
    [
        ("share_with_police", True),
        ("share_anonymous_intelligence", True),
        ("support_prosecution", False),
        ("warn_others", False),
    ],
)
def test_a_grant_without_store_records_is_refused_with_a_reason(
    as_caseworker, case, police_force, scope, needs_force
):
    snapshot = Snapshot(case)
    response = decide(as_caseworker, case, scope, force=police_force if needs_force else None)
    body = assert_refused(response, "scope")
    assert "store_records" in " ".join(body["fields"]["scope"])
    snapshot.assert_unchanged()


def test_a_grant_after_store_records_was_refused_is_refused(as_caseworker, case, police_force):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "store_records", granted=False))
    snapshot = Snapshot(case)
    body = assert_refused(
        decide(as_caseworker, case, "share_with_police", force=police_force), "scope"
    )
    assert "store_records" in " ".join(body["fields"]["scope"])
    snapshot.assert_unchanged()


def test_direct_contact_needs_share_with_police_for_that_same_force(
    as_caseworker, case, police_force, other_force
):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "share_with_police", force=other_force))
    snapshot = Snapshot(case)
    response = decide(as_caseworker, case, "police_may_contact_directly", force=police_force)
    body = assert_refused(response, "scope")
    assert "share_with_police" in " ".join(body["fields"]["scope"])
    snapshot.assert_unchanged()
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    payload = ok(decide(as_caseworker, case, "police_may_contact_directly", force=police_force))
    assert state_of(payload, "police_may_contact_directly", police_force) == "granted"


def test_direct_contact_may_rest_on_an_anonymous_share_which_stays_anonymous(
    as_caseworker, case, police_force
):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "share_anonymous_intelligence", force=police_force))
    share = SharedCase.objects.get(case=case, police_force=police_force, status="active")
    payload = ok(decide(as_caseworker, case, "police_may_contact_directly", force=police_force))
    assert state_of(payload, "police_may_contact_directly", police_force) == "granted"
    share.refresh_from_db()
    assert (share.status, share.level, share.contact_directly) == ("active", "anonymous", False)
    # Withdrawing the anonymous share takes direct contact with it.
    payload = ok(
        decide(
            as_caseworker, case, "share_anonymous_intelligence", granted=False, force=police_force
        )
    )
    assert state_of(payload, "police_may_contact_directly", police_force) == "refused"


def test_a_refusal_needs_nothing_granted_first(as_caseworker, case, police_force):
    payload = ok(
        decide(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    )
    assert state_of(payload, "share_with_police", police_force) == "refused"
    payload = ok(decide(as_caseworker, case, "warn_others", granted=False))
    assert state_of(payload, "warn_others") == "refused"


# Withdrawals take down what rested on them


def test_refusing_share_with_police_also_refuses_direct_contact_for_that_force(
    as_caseworker, case, police_force, other_force
):
    ok(decide(as_caseworker, case, "store_records"))
    for force in (police_force, other_force):
        ok(decide(as_caseworker, case, "share_with_police", force=force))
        ok(decide(as_caseworker, case, "police_may_contact_directly", force=force))
    before = ConsentDecision.objects.count()
    payload = ok(
        decide(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    )
    assert ConsentDecision.objects.count() == before + 2
    cascade, withdrawal = payload["history"][:2]
    assert (withdrawal["scope"], withdrawal["granted"]) == ("share_with_police", False)
    assert withdrawal["follows_from"] is None
    assert (cascade["scope"], cascade["granted"]) == ("police_may_contact_directly", False)
    assert cascade["police_force"]["id"] == str(police_force.id)
    assert cascade["follows_from"] == withdrawal["id"]
    assert state_of(payload, "police_may_contact_directly", police_force) == "refused"
    # The other force's consent is untouched.
    assert state_of(payload, "share_with_police", other_force) == "granted"
    assert state_of(payload, "police_may_contact_directly", other_force) == "granted"


def test_regranting_share_with_police_does_not_revive_direct_contact(
    as_caseworker, case, police_force
):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    ok(decide(as_caseworker, case, "police_may_contact_directly", force=police_force))
    ok(decide(as_caseworker, case, "share_with_police", granted=False, force=police_force))
    payload = ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    assert state_of(payload, "share_with_police", police_force) == "granted"
    assert state_of(payload, "police_may_contact_directly", police_force) == "refused"
    share = SharedCase.objects.get(case=case, police_force=police_force, status="active")
    assert share.contact_directly is False


def test_refusing_store_records_refuses_every_grant(as_caseworker, case, police_force, other_force):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "warn_others"))
    ok(decide(as_caseworker, case, "support_prosecution"))
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    ok(decide(as_caseworker, case, "police_may_contact_directly", force=police_force))
    ok(decide(as_caseworker, case, "share_anonymous_intelligence", force=other_force))
    before = ConsentDecision.objects.count()
    payload = ok(decide(as_caseworker, case, "store_records", granted=False, method="written"))
    withdrawal = next(h for h in payload["history"] if h["scope"] == "store_records")
    cascades = payload["history"][: ConsentDecision.objects.count() - before - 1]
    assert cascades and payload["history"][len(cascades)] == withdrawal
    assert sorted((c["scope"], (c["police_force"] or {}).get("id")) for c in cascades) == sorted(
        [
            ("police_may_contact_directly", str(police_force.id)),
            ("share_anonymous_intelligence", str(other_force.id)),
            ("share_with_police", str(police_force.id)),
            ("support_prosecution", None),
            ("warn_others", None),
        ]
    )
    for cascade in cascades:
        assert cascade["granted"] is False
        assert cascade["follows_from"] == withdrawal["id"]
        assert cascade["method"] == "written"
    assert {row["state"] for row in payload["current"]} == {"refused"}
    assert not SharedCase.objects.filter(case=case, status="active").exists()


# Validation


def test_a_police_scope_without_a_force_is_refused(as_caseworker, case):
    ok(decide(as_caseworker, case, "store_records"))
    snapshot = Snapshot(case)
    for scope in ("share_with_police", "share_anonymous_intelligence"):
        assert_refused(decide(as_caseworker, case, scope), "police_force")
    snapshot.assert_unchanged()


def test_a_charity_named_as_the_police_force_is_refused(as_caseworker, case, other_charity):
    ok(decide(as_caseworker, case, "store_records"))
    snapshot = Snapshot(case)
    response = decide(as_caseworker, case, "share_with_police", force=other_charity)
    assert_refused(response, "police_force")
    snapshot.assert_unchanged()


@pytest.mark.parametrize("scope", NON_POLICE_SCOPES)
def test_a_force_on_a_non_police_scope_is_refused(as_caseworker, case, police_force, scope):
    if scope != "store_records":
        ok(decide(as_caseworker, case, "store_records"))
    snapshot = Snapshot(case)
    assert_refused(decide(as_caseworker, case, scope, force=police_force), "police_force")
    snapshot.assert_unchanged()


def test_an_unknown_police_force_is_refused(as_caseworker, case):
    ok(decide(as_caseworker, case, "store_records"))
    snapshot = Snapshot(case)
    response = as_caseworker.post(
        url(case),
        {
            "scope": "share_with_police",
            "granted": True,
            "method": "verbal",
            "police_force": "00000000-0000-0000-0000-000000000000",
        },
        format="json",
    )
    assert_refused(response, "police_force")
    snapshot.assert_unchanged()


@pytest.mark.parametrize("days", [-30, -1, 0])
def test_a_review_date_that_is_not_in_the_future_is_refused(as_caseworker, case, days):
    snapshot = Snapshot(case)
    review = timezone.localdate() + timedelta(days=days)
    response = decide(as_caseworker, case, "store_records", review_date=review.isoformat())
    assert_refused(response, "review_date")
    snapshot.assert_unchanged()


def test_a_review_date_on_a_refusal_is_refused(as_caseworker, case):
    snapshot = Snapshot(case)
    review = timezone.localdate() + timedelta(days=30)
    response = decide(
        as_caseworker, case, "store_records", granted=False, review_date=review.isoformat()
    )
    assert_refused(response, "review_date")
    snapshot.assert_unchanged()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recorded_at", "2020-01-01T09:00:00Z"),
        ("recorded_by", "00000000-0000-0000-0000-000000000000"),
        ("follows_from", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_fields_the_server_sets_cannot_be_sent(as_caseworker, case, field, value):
    snapshot = Snapshot(case)
    response = decide(as_caseworker, case, "store_records", **{field: value})
    assert_refused(response, field)
    snapshot.assert_unchanged()


@pytest.mark.parametrize(
    ("field", "value"), [("scope", "sell_data"), ("method", "telepathy"), ("granted", "perhaps")]
)
def test_unknown_values_are_refused(as_caseworker, case, field, value):
    snapshot = Snapshot(case)
    body = {"scope": "store_records", "granted": True, "method": "verbal", field: value}
    assert_refused(as_caseworker.post(url(case), body, format="json"), field)
    snapshot.assert_unchanged()


# Who may record and read consent


def test_police_cannot_record_or_read_consent(as_police, case, police_force, as_caseworker):
    ok(decide(as_caseworker, case, "store_records"))
    snapshot = Snapshot(case)
    response = decide(as_police, case, "share_with_police", force=police_force)
    assert response.status_code == 403, response.json()
    assert response.json()["code"]
    assert as_police.get(url(case)).status_code == 403
    snapshot.assert_unchanged()


def test_another_charitys_staff_get_not_found(case, other_charity, as_caseworker):
    ok(decide(as_caseworker, case, "store_records"))
    outsider = client_for(UserFactory(organisation=other_charity))
    snapshot = Snapshot(case)
    assert outsider.get(url(case)).status_code == 404
    response = decide(outsider, case, "store_records", granted=False)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    snapshot.assert_unchanged()


def test_a_colleague_not_on_the_case_gets_not_found(case, charity):
    colleague = client_for(UserFactory(organisation=charity))
    snapshot = Snapshot(case)
    assert colleague.get(url(case)).status_code == 404
    assert decide(colleague, case, "store_records").status_code == 404
    snapshot.assert_unchanged()


def test_a_supervisor_records_consent_on_any_case_of_their_charity(as_supervisor, case, supervisor):
    payload = ok(decide(as_supervisor, case, "store_records"))
    assert payload["history"][0]["recorded_by"] == supervisor.username


# The ledger is append-only


def test_the_database_refuses_to_update_a_decision(as_caseworker, case):
    ok(decide(as_caseworker, case, "store_records"))
    decision = ConsentDecision.objects.get(case=case)
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ConsentDecision.objects.filter(pk=decision.pk).update(granted=False)
    backdated = timezone.now() - timedelta(days=365)
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ConsentDecision.objects.filter(pk=decision.pk).update(recorded_at=backdated)
    decision.refresh_from_db()
    assert decision.granted is True
    assert decision.recorded_at > backdated + timedelta(days=300)


def test_the_database_refuses_to_delete_a_decision(as_caseworker, case):
    ok(decide(as_caseworker, case, "store_records"))
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        ConsentDecision.objects.filter(case=case).delete()
    assert ConsentDecision.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_there_is_no_route_to_change_a_decision(as_caseworker, case, method):
    payload = ok(decide(as_caseworker, case, "store_records"))
    decision_id = payload["history"][0]["id"]
    for target in (url(case), f"{url(case)}{decision_id}/"):
        response = getattr(as_caseworker, method)(target, {"granted": False}, format="json")
        assert response.status_code in (404, 405), (target, response.status_code)
    assert ConsentDecision.objects.get(case=case).granted is True


# The audit trail


def test_every_decision_writes_an_audit_event(as_caseworker, case, caseworker, police_force):
    ok(decide(as_caseworker, case, "store_records"))
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    ok(decide(as_caseworker, case, "police_may_contact_directly", force=police_force))
    ok(decide(as_caseworker, case, "share_with_police", granted=False, force=police_force))
    decisions = ConsentDecision.objects.filter(case=case)
    assert decisions.count() == 5  # four recorded, one cascaded refusal
    events = AuditEvent.objects.filter(action="consent.record", case_id=case.id)
    assert events.count() == 5
    assert {e.object_id for e in events} == {
        str(pk) for pk in decisions.values_list("pk", flat=True)
    }
    for event in events:
        assert event.actor == caseworker
        assert event.organisation_id == case.organisation_id
        assert event.object_type == "consentdecision"


def test_starting_and_ending_a_share_is_audited(as_caseworker, case, caseworker, police_force):
    ok(decide(as_caseworker, case, "store_records"))
    assert not AuditEvent.objects.filter(action__startswith="share.").exists()
    ok(decide(as_caseworker, case, "share_with_police", force=police_force))
    share = SharedCase.objects.get(case=case)
    start = AuditEvent.objects.get(action="share.start")
    assert (start.case_id, start.actor, start.object_id) == (case.id, caseworker, str(share.pk))
    assert start.detail["police_force"] == str(police_force.id)
    ok(decide(as_caseworker, case, "share_with_police", granted=False, force=police_force))
    end = AuditEvent.objects.get(action="share.end")
    assert (end.case_id, end.actor, end.object_id) == (case.id, caseworker, str(share.pk))
    assert end.id > start.id
