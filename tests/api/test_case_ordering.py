"""The case list sorts by the fields offered, stays stable under the cursor, refuses others."""

import pytest

from casework.cases.models import Case

from ..factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(charity, caseworker):
    return [CaseFactory(opened_by=caseworker, pseudonym=f"C{n}") for n in range(5)]


def all_pages(client, url):
    seen = []
    while url:
        body = client.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]
    return seen


@pytest.mark.parametrize("ordering", ["reference", "-reference", "opened_at", "-opened_at"])
def test_each_offered_ordering_is_honoured_across_pages(as_caseworker, cases, ordering):
    field = ordering.lstrip("-")
    expected = [
        c.reference
        for c in sorted(
            cases, key=lambda c: (getattr(c, field), str(c.id)), reverse=ordering.startswith("-")
        )
    ]
    assert all_pages(as_caseworker, f"/api/v1/cases/?ordering={ordering}&page_size=2") == expected


def test_reference_order_differs_from_the_default(as_caseworker, cases):
    default = all_pages(as_caseworker, "/api/v1/cases/?page_size=2")
    ascending = all_pages(as_caseworker, "/api/v1/cases/?ordering=reference&page_size=2")
    assert default == list(reversed(ascending))
    assert len(default) == Case.objects.count()


def test_an_unknown_ordering_is_refused(as_caseworker, cases):
    response = as_caseworker.get("/api/v1/cases/?ordering=client__legal_name")
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]
