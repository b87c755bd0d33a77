"""Every read of a record writes an audit event, so the write is part of what a read costs: the
chain's lock and its tail in one round trip, then the event; and however many writers race, the
chain never forks."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.audit.verification import verify_chain

from ..conftest import client_for
from ..factories import CaseFactory


@pytest.mark.django_db
def test_an_audited_read_writes_its_event_in_two_statements(caseworker):
    case = CaseFactory(opened_by=caseworker)
    api = client_for(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/cases/{case.id}/")
    assert response.status_code == 200
    audit = [
        q["sql"]
        for q in queries.captured_queries
        if "audit_auditevent" in q["sql"] or "pg_advisory" in q["sql"]
    ]
    assert len(audit) == 2, audit
    lock_and_tail, insert = audit
    assert "pg_advisory_xact_lock" in lock_and_tail
    assert "ORDER BY sequence DESC LIMIT 1" in lock_and_tail
    assert insert.startswith('INSERT INTO "audit_auditevent"')
    event = AuditEvent.objects.get(action="case.read")
    assert event.object_id == str(case.id)
    assert verify_chain(event.chain) == (event.sequence, None)


@pytest.mark.django_db(transaction=True)
def test_writers_racing_on_one_chain_never_fork_it(charity):
    writers, each = 4, 15
    barrier = threading.Barrier(writers)
    errors: list = []

    def write(index):
        try:
            barrier.wait(timeout=10)
            for n in range(each):
                audit_record(
                    actor=f"writer-{index}",
                    action="test.race",
                    organisation=charity,
                    detail={"n": n},
                )
        except Exception as error:  # reported below, in the main thread
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    chain = str(charity.pk)
    races = AuditEvent.objects.filter(chain=chain, action="test.race").count()
    assert races == writers * each
    total = AuditEvent.objects.filter(chain=chain).count()
    assert verify_chain(chain) == (total, None)
