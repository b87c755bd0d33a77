"""A case's timeline: the referral, transitions, contacts and notes, newest first, paged with a
cursor whose cost does not grow with the history."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casework.cases import timeline
from casework.cases.models import CaseTransition, ContactLogEntry, Note
from casework.cases.services.cases import case_transition
from casework.cases.services.contacts import note_add
from casework.cases.services.referrals import referral_accept

from ..conftest import client_for
from ..factories import ContactLogEntryFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

# Authentication (the token, the person, their organisation and groups in one), the case and
# its assignments, one query per kind of event whatever the length of the history, and the
# audited read (savepoint, chain lock with the chain's tail, insert, release).
TIMELINE_QUERY_CEILING = 3 + len(timeline.SOURCES) + 4


def url(case_id) -> str:
    return f"/api/v1/cases/{case_id}/timeline/"


def contact(case, user, at, outcome="no_answer", note=None):
    return ContactLogEntryFactory(
        case=case,
        recorded_by=user,
        occurred_at=at,
        channel="phone_call",
        direction="outbound",
        outcome=outcome,
        note=note,
    )


def transition(case, user, lifecycle, to):
    case_transition(case=case, actor=user, lifecycle=lifecycle, to=to, reason=f"Moving to {to}")
    return CaseTransition.objects.filter(case=case).order_by("-occurred_at", "-pk").first()


def accept_referral_through_the_api(user, received_at):
    """Returns the case (as the model) the accepted referral opened, and the referral's id."""
    from casework.cases.models import Case

    api = client_for(user)
    referral = api.post(
        "/api/v1/referrals/",
        {
            "source": "outreach",
            "summary": "Met on outreach; wants support after a robbery.",
            "received_at": received_at.isoformat(),
            "offence_types": ["robbery"],
            "urgency": "priority",
        },
        format="json",
    )
    assert referral.status_code == 201, referral.json()
    accepted = api.post(
        f"/api/v1/referrals/{referral.json()['id']}/accept/",
        {"new_client": {"pseudonym": "Sky"}},
        format="json",
    )
    assert accepted.status_code == 201, accepted.json()
    return Case.objects.get(pk=accepted.json()["id"]), referral.json()["id"]


@pytest.fixture
def history(caseworker):
    """A case with one event of each kind and more, each at a known, distinct time. Returns the
    case and the expected timeline, newest first, as (kind, id, time, actor)."""
    base = timezone.now() - timedelta(days=2)
    at = [base + timedelta(minutes=10 * step) for step in range(8)]
    with time_machine.travel(at[0], tick=False):
        case, referral_id = accept_referral_through_the_api(caseworker, at[0] - timedelta(hours=1))
    events = [("referral", referral_id, at[0] - timedelta(hours=1))]

    def note(body):
        return note_add(case=case, author=caseworker, body=body, visibility="internal")

    steps = [
        lambda: ("transition", transition(case, caseworker, "support", "triage")),
        lambda: ("contact", contact(case, caseworker, at[2], "no_answer")),
        lambda: ("note", note("Triage done")),
        lambda: ("transition", transition(case, caseworker, "support", "active")),
        lambda: ("contact", contact(case, caseworker, at[5], "reached", note="Talked it through")),
        lambda: ("transition", transition(case, caseworker, "justice", "reported")),
        lambda: ("note", note("Reported")),
    ]
    for when, step in zip(at[1:], steps, strict=True):
        with time_machine.travel(when, tick=False):
            kind, row = step()
        events.append((kind, str(row.pk), when))
    expected = [(kind, item_id, time, caseworker.username) for kind, item_id, time in events]
    return case, list(reversed(expected))


def test_the_timeline_returns_every_event_newest_first(as_caseworker, history):
    case, expected = history
    response = as_caseworker.get(url(case.id))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["next"] is None
    got = [
        (row["kind"], row["id"], parse_datetime(row["occurred_at"]), row["actor"])
        for row in body["results"]
    ]
    assert got == expected
    assert {row["kind"] for row in body["results"]} == {"referral", "transition", "contact", "note"}


def test_each_kind_describes_what_happened(as_caseworker, history):
    case, _ = history
    results = as_caseworker.get(url(case.id)).json()["results"]
    by_kind: dict[str, list[dict]] = {}
    for row in results:
        by_kind.setdefault(row["kind"], []).append(row["data"])
    assert by_kind["referral"] == [
        {"source": "outreach", "urgency": "priority", "status": "accepted"}
    ]
    assert [(t["lifecycle"], t["from"], t["to"]) for t in by_kind["transition"]] == [
        ("justice", "none", "reported"),
        ("support", "triage", "active"),
        ("support", "referred", "triage"),
    ]
    assert [(c["outcome"], c["note"]) for c in by_kind["contact"]] == [
        ("reached", "Talked it through"),
        ("no_answer", None),
    ]
    assert [n["body"] for n in by_kind["note"]] == ["Reported", "Triage done"]


def _walk(api, first_url):
    pages, next_url = [], first_url
    while next_url:
        response = api.get(next_url)
        assert response.status_code == 200, response.json()
        pages.append(response.json()["results"])
        next_url = response.json()["next"]
        assert len(pages) < 100, "the cursor never ends"
    return pages


def test_paging_visits_every_item_exactly_once_in_order(as_caseworker, history, caseworker):
    case, _ = history
    # Events at the very same instant, of the same kind and of different kinds, so the cursor
    # has to break ties.
    same_time = timezone.now() - timedelta(hours=1)
    with time_machine.travel(same_time, tick=False):
        note_add(case=case, author=caseworker, body="Tie one", visibility="internal")
        note_add(case=case, author=caseworker, body="Tie two", visibility="internal")
        contact(case, caseworker, same_time)
        contact(case, caseworker, same_time)
        transition(case, caseworker, "support", "paused")

    everything = as_caseworker.get(url(case.id) + "?page_size=100").json()["results"]
    assert len(everything) == 13
    keys = [(parse_datetime(r["occurred_at"]), r["kind"], r["id"]) for r in everything]
    assert keys == sorted(keys, reverse=True)

    pages = _walk(as_caseworker, url(case.id) + "?page_size=2")
    assert [len(page) for page in pages] == [2, 2, 2, 2, 2, 2, 1]
    walked = [row["id"] for page in pages for row in page]
    assert walked == [row["id"] for row in everything]
    assert len(set(walked)) == len(walked)
    expected_ids = (
        {str(pk) for pk in CaseTransition.objects.filter(case=case).values_list("pk", flat=True)}
        | {str(pk) for pk in ContactLogEntry.objects.filter(case=case).values_list("pk", flat=True)}
        | {str(pk) for pk in Note.objects.filter(case=case).values_list("pk", flat=True)}
        | {str(case.referral_id)}
    )
    assert set(walked) == expected_ids


def test_a_page_that_ends_exactly_at_the_last_item_has_no_next_link(as_caseworker, history):
    case, expected = history
    response = as_caseworker.get(url(case.id) + f"?page_size={len(expected)}")
    assert len(response.json()["results"]) == len(expected)
    assert response.json()["next"] is None
    pages = _walk(as_caseworker, url(case.id) + f"?page_size={len(expected) // 2}")
    assert [len(page) for page in pages] == [len(expected) // 2, len(expected) // 2]


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%%",
        _b64("just a string"),
        _b64([1, 2]),
        _b64(["yesterday", "note", "x"]),
        _b64({"a": 1}),
        _b64(["2026-01-01T00:00:00+00:00", "note", "not-a-uuid"]),
    ],
    ids=[
        "not-base64-json",
        "not-base64-at-all",
        "a-string",
        "a-short-list",
        "not-a-time",
        "an-object",
        "an-id-that-is-not-a-uuid",
    ],
)
def test_a_garbage_cursor_is_refused(as_caseworker, history, cursor):
    case, _ = history
    response = as_caseworker.get(url(case.id), {"cursor": cursor})
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert "cursor" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["0", "101", "-1", "ten", "2.5", "\u00b2"])
def test_a_page_size_outside_1_to_100_is_refused(as_caseworker, history, page_size):
    case, _ = history
    response = as_caseworker.get(url(case.id), {"page_size": page_size})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "page_size" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["1", "100"])
def test_page_sizes_at_the_bounds_are_accepted(as_caseworker, history, page_size):
    case, _ = history
    response = as_caseworker.get(url(case.id), {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(int(page_size), 8)


def test_the_timeline_of_a_case_out_of_reach_is_not_found(history, charity, other_charity):
    case, _ = history
    assert client_for(UserFactory(organisation=charity)).get(url(case.id)).status_code == 404
    assert client_for(UserFactory(organisation=other_charity)).get(url(case.id)).status_code == 404


def _case_with_events(charity, opener, staff, count):
    """A case opened from a referral with ``count`` events in all (the referral included), their
    actors spread over several people."""
    referral = ReferralFactory(
        organisation=charity, actor=opener, source="self_referral", summary="Needs support"
    )
    case = referral_accept(
        referral=referral, accepted_by=opener, new_client={"pseudonym": "P"}, assigned_to=staff
    )
    now = timezone.now()
    support = ["active", "paused"]
    for i in range(count - 1):
        user = staff[i % len(staff)]
        if i % 3 == 0:
            case = case_transition(
                case=case, actor=user, lifecycle="support", to=support[(i // 3) % 2], reason="r"
            )
        elif i % 3 == 1:
            contact(case, user, now - timedelta(minutes=i), note=f"Contact {i}")
        else:
            note_add(case=case, author=user, body=f"Note {i}", visibility="internal")
    return case


def test_the_query_count_of_a_page_does_not_grow_with_the_history(
    charity, caseworker, django_assert_max_num_queries
):
    staff = [caseworker, *(UserFactory(organisation=charity) for _ in range(4))]
    short = _case_with_events(charity, caseworker, staff, 3)
    long = _case_with_events(charity, caseworker, staff, 60)

    api = client_for(caseworker)
    with django_assert_max_num_queries(TIMELINE_QUERY_CEILING) as few:
        response = api.get(url(short.id) + "?page_size=100")
    assert len(response.json()["results"]) == 3

    api = client_for(caseworker)
    with django_assert_max_num_queries(TIMELINE_QUERY_CEILING) as many:
        response = api.get(url(long.id) + "?page_size=100")
    results = response.json()["results"]
    assert len(results) == 60
    assert len({row["actor"] for row in results}) == len(staff)
    assert len(many.captured_queries) == len(few.captured_queries)

    # Later pages cost the same as the first.
    next_url = api.get(url(long.id) + "?page_size=20").json()["next"]
    with django_assert_max_num_queries(TIMELINE_QUERY_CEILING):
        second = api.get(next_url)
    assert len(second.json()["results"]) == 20
