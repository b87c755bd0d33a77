"""Each charity's own windows: what a supervisor sets changes when their charity is reminded, and
no other's; only positive days, and only a supervisor."""

from datetime import date, timedelta

import pytest

from casework.reminders.models import ReminderPolicy

from ...conftest import client_for
from ...editing import edit
from ...factories import ConsentDecisionFactory, CourtEventFactory, SharedCaseFactory, UserFactory
from .world import MINUTE, POLICY, START, K, active, at, court, fail, open_case, scan, utc

pytestmark = pytest.mark.django_db


def set_policy(supervisor, **values) -> dict:
    response = edit(client_for(supervisor), POLICY, values, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_supervisors_windows_change_when_their_charity_is_reminded_and_no_other(
    clock, caseworker, supervisor, other_charity
):
    body = set_policy(supervisor, reverify_after_days=5, no_contact_after_days=3)
    assert body["reverify_after_days"] == 5
    assert body["no_contact_after_days"] == 3
    assert ReminderPolicy.objects.get(organisation=supervisor.organisation).updated_by == supervisor
    ours = open_case(caseworker)
    theirs = open_case(UserFactory(organisation=other_charity))

    scan(clock, START + timedelta(days=3) + MINUTE)
    assert [r.due_at for r in active(K.NO_RECENT_CONTACT, ours)] == [START + timedelta(days=3)]
    assert active(K.REVERIFY_CONTACT, ours) == []
    assert active(K.NO_RECENT_CONTACT, theirs) == []

    scan(clock, START + timedelta(days=5) + MINUTE)
    assert [r.due_at for r in active(K.REVERIFY_CONTACT, ours)] == [START + timedelta(days=5)]
    assert active(K.REVERIFY_CONTACT, theirs) == []

    scan(clock, START + timedelta(days=10) + MINUTE)
    assert [r.due_at for r in active(K.NO_RECENT_CONTACT, theirs)] == [START + timedelta(days=10)]
    assert active(K.REVERIFY_CONTACT, theirs) == []


def test_a_lower_escalation_threshold_escalates_sooner(clock, escalation, supervisor):
    set_policy(supervisor, failures_before_escalation=2)
    case = escalation["case"]
    last = fail(clock, case, 2, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    assert len(active(K.CONTACT_FAILURES, case)) == 2


def test_the_charitys_court_reminder_days_decide_both_court_reminders(
    clock, caseworker, supervisor
):
    set_policy(supervisor, court_reminder_days_before=3, court_reminder_working_days_before=2)
    case = open_case(caseworker)
    CourtEventFactory(case=case, starts_at=at(2026, 3, 16, 10))  # Monday 16 March, 10:00 GMT
    scan(clock, at(2026, 3, 9, 10))  # seven days before: nothing under this charity's policy
    assert court(case) == []
    scan(clock, at(2026, 3, 13, 10))
    assert [r.due_at for r in court(case)] == [
        utc(2026, 3, 12, 9),  # two working days before: Thursday 12 March, 09:00
        utc(2026, 3, 13, 10),  # three days before: Friday 13 March, 10:00
    ]


def test_a_longer_consent_review_lead_reminds_sooner(clock, caseworker, supervisor):
    set_policy(supervisor, consent_review_lead_days=14)
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 18, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)
    assert reminder.due_at == at(2026, 3, 18, 9)


def test_the_charitys_police_update_window_decides_when_the_force_is_reminded(
    clock, caseworker, supervisor, force, liaisons
):
    set_policy(supervisor, police_update_overdue_days=14)
    case = open_case(caseworker)
    SharedCaseFactory(case=case, police_force=force)
    scan(clock, START + timedelta(days=14) + MINUTE)
    assert {r.due_at for r in active(K.POLICE_UPDATE_OVERDUE)} == {START + timedelta(days=14)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reverify_after_days", 0),
        ("no_contact_after_days", -3),
        ("failures_before_escalation", 0),
        ("court_reminder_days_before", -7),
        ("court_reminder_working_days_before", 0),
        ("consent_review_lead_days", -1),
        ("police_update_overdue_days", 0),
        ("contact_request_response_working_days", 0),
        ("contact_request_response_working_days", 11),
    ],
)
def test_zero_or_negative_days_are_refused_and_change_nothing(supervisor, field, value):
    api = client_for(supervisor)
    before = api.get(POLICY).json()
    response = edit(api, POLICY, {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert api.get(POLICY).json()[field] == before[field]
    assert not ReminderPolicy.objects.filter(organisation=supervisor.organisation).exists()


def test_only_a_supervisor_may_change_the_windows(caseworker, supervisor):
    response = edit(client_for(caseworker), POLICY, {"reverify_after_days": 30}, format="json")
    assert response.status_code == 403
    assert client_for(caseworker).get(POLICY).json()["reverify_after_days"] == 14
