"""What a scan costs: the open cases' person, last verification and last success are worked out
once per scan, in one set-based statement, and every rule about reaching a client reads them
from there; what the large rules find stays in PostgreSQL, and the reminders whose reason went
away are found by an anti-join against it, not against a list of every key in the SQL; and a
scan that finds nothing new writes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.accounts.models import User
from casework.cases.models import Case
from casework.cases.services.cases import case_assign
from casework.reminders.assignees import reminder_assignee_of
from casework.reminders.choices import ReminderStatus
from casework.reminders.facts import case_facts, scan_facts
from casework.reminders.models import Reminder
from casework.reminders.rules import RULES, _load
from casework.reminders.rules.common import stamp
from casework.reminders.scan import run_scan
from casework.sharing.models import SharedCase, SharedUpdate
from casework.sharing.services import police_update_post

from ...factories import IsvaFactory, SharedCaseFactory, UserFactory
from .world import START, K, active, at, log, open_case

pytestmark = pytest.mark.django_db

CONTACT_RULES = [K.REVERIFY_CONTACT, K.NO_RECENT_CONTACT, K.CONTACT_FAILURES]


def _scan(clock, moment):
    clock.move_to(moment)
    with CaptureQueriesContext(connection) as queries:
        run_scan(now=moment)
    return [q["sql"] for q in queries.captured_queries]


def test_the_facts_of_the_open_cases_are_built_once_per_scan(clock, caseworker):
    cases = [open_case(caseworker, pseudonym=f"Client {i}") for i in range(3)]
    for case in cases:
        log(case, "no_answer")
    statements = _scan(clock, START + timedelta(days=30))
    builds = [sql for sql in statements if "CREATE TEMPORARY TABLE reminder_scan_case" in sql]
    assert len(builds) == 1
    readers = [sql for sql in statements if "FROM pg_temp.reminder_scan_case" in sql]
    assert len(readers) == len(CONTACT_RULES)
    # None of them asks about a case's assignments, verifications or successes row by row.
    for sql in readers:
        assert "cases_caseassignment" not in sql
        assert "clients_contactmethod" not in sql
    for kind in (K.REVERIFY_CONTACT, K.NO_RECENT_CONTACT):
        assert {r.case_id for r in active(kind)} == {c.pk for c in cases}
        assert {r.assignee_id for r in active(kind)} == {caseworker.pk}


def test_a_scan_costs_the_same_statements_for_one_case_as_for_ten(clock, caseworker):
    open_case(caseworker, pseudonym="First")
    one = _scan(clock, START + timedelta(days=30))
    for i in range(9):
        open_case(caseworker, pseudonym=f"Client {i}")
    ten = _scan(clock, START + timedelta(days=45))  # the nine were opened on day 30
    assert len(ten) == len(one)
    assert len(active(K.NO_RECENT_CONTACT)) == 10


def test_the_keys_found_stay_in_postgresql_when_cancelling(clock, caseworker):
    """The rules written as one statement put what they find in a temporary table, and the
    reminders whose reason went are found by an anti-join against it: no key found comes back
    to Python or goes out again as a list."""
    cases = [open_case(caseworker, pseudonym=f"Client {i}") for i in range(5)]
    _scan(clock, START + timedelta(days=30))
    assert len(active(K.NO_RECENT_CONTACT)) == 5

    clock.move_to(START + timedelta(days=30, hours=1))
    log(cases[0], "reached")
    statements = _scan(clock, START + timedelta(days=30, hours=2))
    cancels = [sql for sql in statements if "SET status = 'cancelled'" in sql]
    assert cancels
    for sql in cancels:
        assert "dedup_key IN (" not in sql
        assert "ALL(" not in sql.replace("ANY(", "")
        assert "NOT EXISTS (SELECT 1 FROM pg_temp.reminder_scan_due" in sql
    still_due = [r.dedup_key for r in active(K.NO_RECENT_CONTACT)]
    assert not [sql for sql in statements for key in still_due if key in sql]
    assert {r.case_id for r in active(K.NO_RECENT_CONTACT)} == {c.pk for c in cases[1:]}
    [gone] = Reminder.objects.filter(kind=K.NO_RECENT_CONTACT, case=cases[0])
    assert gone.status == ReminderStatus.CANCELLED


def test_the_facts_are_not_left_behind_by_a_scan(clock, caseworker):
    open_case(caseworker)
    _scan(clock, START + timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.reminder_scan_case')")
        assert cursor.fetchone() == (None,)


def test_a_scan_that_finds_nothing_new_sends_no_rows_to_insert(clock, caseworker):
    open_case(caseworker)
    _scan(clock, START + timedelta(days=30))
    statements = _scan(clock, START + timedelta(days=30, hours=1))
    assert [sql for sql in statements if "INSERT INTO reminders_reminder" in sql] == []
    assert len(active(K.NO_RECENT_CONTACT)) == 1


def test_the_facts_pick_the_same_person_as_a_single_case_pick(
    clock, charity, caseworker, supervisor
):
    """The facts restate in SQL the ranking every other part of Casework asks one case at a
    time (``reminder_assignee_of``): caseworker, then ISVA, then anyone else, active accounts
    only, else the longest-serving active supervisor."""
    isva = IsvaFactory(organisation=charity)
    other = UserFactory(organisation=charity)
    with_isva = open_case(caseworker, pseudonym="Both")
    with_isva = case_assign(case=with_isva, user=isva, assigned_by=supervisor)
    isva_only = open_case(other, pseudonym="Isva left")
    isva_only = case_assign(case=isva_only, user=isva, assigned_by=supervisor)
    nobody_active = open_case(other, pseudonym="Left")
    User.objects.filter(pk=other.pk).update(is_active=False)

    with scan_facts(), case_facts(), connection.cursor() as cursor:
        cursor.execute("SELECT case_id, assignee_id FROM pg_temp.reminder_scan_case")
        picked = dict(cursor.fetchall())
    expected = {
        case.pk: reminder_assignee_of(case).pk for case in (with_isva, isva_only, nobody_active)
    }
    assert picked == expected
    assert expected == {
        with_isva.pk: caseworker.pk,
        isva_only.pk: isva.pk,
        nobody_active.pk: supervisor.pk,
    }


def test_keys_and_due_dates_made_in_sql_match_those_made_in_python(clock, caseworker):
    """The contact rules read ``since`` and its key's stamp as PostgreSQL writes them; a key
    that differed from ``stamp()`` by a character would make every reminder anew."""
    opened = at(2026, 6, 1, 10, 30) + timedelta(microseconds=123456)  # British Summer Time
    clock.move_to(opened)
    case = open_case(caseworker)
    opened_at = Case.objects.get(pk=case.pk).opened_at
    moment = opened_at + timedelta(days=20)
    _scan(clock, moment)
    for kind, prefix, window in (
        (K.NO_RECENT_CONTACT, "no_contact", 10),
        (K.REVERIFY_CONTACT, "reverify", 14),
    ):
        [reminder] = active(kind, case)
        assert reminder.dedup_key == f"{prefix}:{case.pk}:{stamp(opened_at)}"
        assert reminder.due_at == opened_at + timedelta(days=window)


def test_police_update_keys_and_details_made_in_sql_match_those_made_in_python(
    clock, caseworker, force, liaisons
):
    """The police-update rule writes its keys, due dates and details in PostgreSQL, from each
    share's last police update (a grouped pass over the updates): the same texts as ``stamp()``
    and ``isoformat()``, with and without microseconds."""
    clock.move_to(START + timedelta(microseconds=250001))
    quiet = SharedCaseFactory(case=open_case(caseworker, pseudonym="Quiet"), police_force=force)
    clock.move_to(START)
    updated = SharedCaseFactory(case=open_case(caseworker, pseudonym="Heard"), police_force=force)
    clock.move_to(START + timedelta(days=3))
    police_update_post(shared_case=updated, author=liaisons[0], kind="investigation", body="Seen.")
    statements = _scan(clock, START + timedelta(days=40))
    [finding] = [sql for sql in statements if "FROM sharing_sharedupdate" in sql]
    assert "GROUP BY shared_case_id" in finding
    expected = set()
    for share, since in (
        (quiet, SharedCase.objects.get(pk=quiet.pk).started_at),
        (updated, SharedUpdate.objects.get(shared_case=updated).created_at),
    ):
        assert (since.microsecond != 0) is (share is quiet)
        expected |= {
            (
                f"police_update:{share.pk}:{stamp(since)}:{officer.pk}",
                since + timedelta(days=28),
                since.isoformat(),
            )
            for officer in liaisons
        }
    found = {
        (r.dedup_key, r.due_at, r.detail["last_update"]) for r in active(K.POLICE_UPDATE_OVERDUE)
    }
    assert found == expected
    # Asked on its own, the rule finds the same.
    _load()
    assert {
        (c.dedup_key, c.due_at, c.detail["last_update"])
        for c in RULES[K.POLICE_UPDATE_OVERDUE](START + timedelta(days=40))
    } == expected
