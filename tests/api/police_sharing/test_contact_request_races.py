"""Two members of staff recording the client's answer at once record one answer: the other is
refused, and the consent ledger holds at most the one decision the first answer made."""

import threading

import pytest
from django.db import connection

from casework.audit.models import AuditEvent
from casework.contact_requests.models import ContactRequest
from casework.sharing.models import ConsentDecision

from ...conftest import client_for
from ...factories import ContactMethodFactory, SharedCaseFactory, SupervisorFactory
from .test_contact_requests import asked, on_case
from .world import open_case


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_answering_at_once_record_one_answer(
    caseworker, police_force, police_liaison
):
    supervisor = SupervisorFactory(organisation=caseworker.organisation)
    as_caseworker, as_police = client_for(caseworker), client_for(police_liaison)
    as_supervisor = client_for(supervisor)
    for round_ in range(4):
        case = open_case(caseworker)
        share = SharedCaseFactory(case=case, police_force=police_force)
        route = ContactMethodFactory(
            client=case.client, kind="mobile", safe_to_call=True, police_may_use=True
        )
        request = asked(as_police, share)
        url = f"{on_case(case)}{request['id']}/answer/"
        bodies = {
            "agree": (
                as_caseworker,
                {"outcome": "agreed", "route": "contact_method", "contact_method": str(route.pk)},
            ),
            "decline": (as_supervisor, {"outcome": "declined"}),
        }
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def run(name, barrier=barrier, results=results, url=url, bodies=bodies):
            api, body = bodies[name]
            try:
                barrier.wait(timeout=10)
                results[name] = api.post(url, body, format="json").status_code
            except Exception as error:  # reported below, not swallowed
                results[name] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(name,)) for name in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads)
        assert sorted(results.values()) == [200, 409], (round_, results)

        stored = ContactRequest.objects.get(pk=request["id"])
        winner = "agree" if results["agree"] == 200 else "decline"
        assert stored.status == ("agreed" if winner == "agree" else "declined")
        decisions = ConsentDecision.objects.filter(case=case, scope="police_may_contact_directly")
        assert decisions.count() == (1 if winner == "agree" else 0)
        answers = AuditEvent.objects.filter(case_id=case.pk, action="contact_request.answer")
        assert answers.count() == 1
