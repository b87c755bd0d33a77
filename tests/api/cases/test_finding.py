"""Finding cases: the list's filters, its cursor and its order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.cases.models import Case

from ...factories import CaseFactory
from .world import URL, _ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def assorted(supervisor, caseworker):
    """Four cases with different facts; the caseworker works `mine` only."""
    now = timezone.now()
    mine = CaseFactory(opened_by=caseworker, offence_types=["robbery"], incident_area="Holbeck")
    triage = CaseFactory(opened_by=supervisor, offence_types=["stalking"], risk_level="high")
    active = CaseFactory(
        opened_by=supervisor, offence_types=["robbery", "rape"], risk_level="medium"
    )
    reported = CaseFactory(opened_by=supervisor, incident_area="Chapeltown")
    for case, status, days_ago in [
        (mine, "referred", 1),
        (triage, "triage", 10),
        (active, "active", 20),
        (reported, "paused", 30),
    ]:
        Case.objects.filter(pk=case.pk).update(
            support_status=status, opened_at=now - timedelta(days=days_ago)
        )
    Case.objects.filter(pk=reported.pk).update(justice_stage="reported")
    return {"mine": mine, "triage": triage, "active": active, "reported": reported}


def _named(assorted, *names) -> set[str]:
    return {str(assorted[name].id) for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"support_status": "triage"}, ("triage",)),
        ({"support_status": ["triage", "active"]}, ("triage", "active")),
        ({"justice_stage": "reported"}, ("reported",)),
        ({"justice_stage": "none"}, ("mine", "triage", "active")),
        ({"risk_level": "high"}, ("triage",)),
        ({"risk_level": "standard"}, ("mine", "reported")),
        ({"offence_type": "robbery"}, ("mine", "active")),
        ({"offence_type": "rape"}, ("active",)),
    ],
)
def test_the_case_list_filters(as_supervisor, assorted, query, expected):
    assert set(_ids(as_supervisor.get(URL, query))) == _named(assorted, *expected)


def test_the_text_search_finds_a_reference_but_never_reads_the_encrypted_incident_area(
    as_supervisor, assorted
):
    reference = assorted["reported"].reference
    assert _ids(as_supervisor.get(URL, {"q": reference.lower()})) == [str(assorted["reported"].id)]
    assert _ids(as_supervisor.get(URL, {"q": "chapel"})) == []


def test_the_case_list_filters_by_opening_time(as_supervisor, assorted):
    now = timezone.now()
    after = as_supervisor.get(URL, {"opened_after": (now - timedelta(days=15)).isoformat()})
    assert set(_ids(after)) == _named(assorted, "mine", "triage")
    before = as_supervisor.get(URL, {"opened_before": (now - timedelta(days=15)).isoformat()})
    assert set(_ids(before)) == _named(assorted, "active", "reported")
    window = as_supervisor.get(
        URL,
        {
            "opened_after": (now - timedelta(days=25)).isoformat(),
            "opened_before": (now - timedelta(days=5)).isoformat(),
        },
    )
    assert set(_ids(window)) == _named(assorted, "triage", "active")


def test_the_case_list_filters_by_assignment(as_caseworker, as_supervisor, caseworker, assorted):
    assert _ids(as_caseworker.get(URL, {"assigned_to": "me"})) == [str(assorted["mine"].id)]
    by_id = as_supervisor.get(URL, {"assigned_to": str(caseworker.id)})
    assert _ids(by_id) == [str(assorted["mine"].id)]
    assert _ids(as_supervisor.get(URL, {"assigned_to": "me"})) == []
    assert as_supervisor.get(URL, {"assigned_to": "someone"}).status_code == 400


def test_the_case_list_filters_by_reference_prefix(as_supervisor, supervisor, other_charity):
    first, second = CaseFactory(opened_by=supervisor), CaseFactory(opened_by=supervisor)
    Case.objects.filter(pk=second.pk).update(reference="OLD-2019-00007")
    assert _ids(as_supervisor.get(URL, {"reference": first.reference[:-1]})) == [str(first.id)]
    assert _ids(as_supervisor.get(URL, {"reference": "old-2019"})) == [str(second.id)]
    assert _ids(as_supervisor.get(URL, {"reference": "00001"})) == []


def test_an_unknown_filter_value_is_refused(as_supervisor):
    response = as_supervisor.get(URL, {"support_status": "on_holiday"})
    assert response.status_code == 400
    assert "support_status" in response.json()["fields"]


def test_the_case_list_pages_with_a_cursor_without_overlap(as_supervisor, supervisor):
    made = {str(CaseFactory(opened_by=supervisor, pseudonym=f"P{n}").id) for n in range(5)}
    seen: list[str] = []
    page = as_supervisor.get(URL, {"page_size": 2}).json()
    sizes = []
    while True:
        sizes.append(len(page["results"]))
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = as_supervisor.get(page["next"]).json()
    assert sizes == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == made


def test_the_case_list_is_newest_first(as_supervisor, assorted):
    order = _ids(as_supervisor.get(URL))
    expected = [str(assorted[n].id) for n in ("mine", "triage", "active", "reported")]
    assert order == expected
