"""The feed: an alerts:read key of the charity reads its published alerts, newest first,
filtered by area and date, with nothing of the reporter, the case or who wrote it; a retraction
shows as such without content; drafts, alerts in review and expired ones are not there."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from casework.alerts.services import expire_alerts

from ...conftest import client_for_key
from ...factories import OrganisationFactory, make_api_key
from ..police_sharing.world import (
    AREA,
    EMAIL,
    LEGAL_NAME,
    PHONE,
    PHONE_E164,
    PSEUDONYM,
    assert_absent,
)
from .world import FEED, OFFENDER_PHONE_E164, alerts_url, drafted, published, submit

pytestmark = pytest.mark.django_db


def _feed(api, query: str = "") -> list[dict]:
    response = api.get(FEED + query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_published_alert_reaches_the_feed_with_nothing_of_the_reporter(
    as_caseworker, as_reviewer, as_feed_key, case, caseworker
):
    alert = published(as_caseworker, as_reviewer, case)
    response = as_feed_key.get(FEED)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["reference"] == alert["reference"]
    assert row["status"] == "published"
    assert row["area"] == AREA
    assert row["what_happened"] == alert["what_happened"]
    assert row["identifiers"] == []  # the reviewer approved no showing of them
    assert "id" not in row
    assert_absent(
        response.content,
        PSEUDONYM,
        LEGAL_NAME,
        PHONE,
        PHONE_E164,
        EMAIL,
        str(case.id),
        case.reference,
        str(case.client_id),
        str(alert["id"]),
        caseworker.username,
        as_reviewer.principal.username,
        OFFENDER_PHONE_E164,
    )


def test_identifiers_show_only_where_the_reviewer_approved_showing_them(
    as_caseworker, as_reviewer, as_feed_key, case
):
    published(as_caseworker, as_reviewer, case, show_identifiers=True)
    [row] = _feed(as_feed_key)
    assert {"kind": "phone", "value": OFFENDER_PHONE_E164} in row["identifiers"]


def test_drafts_and_alerts_in_review_are_not_in_the_feed(as_caseworker, as_feed_key, case):
    drafted(as_caseworker, case)
    submit(as_caseworker, case, drafted(as_caseworker, case))
    assert _feed(as_feed_key) == []


def test_a_retraction_shows_as_such_without_content(as_caseworker, as_reviewer, as_feed_key, case):
    alert = published(as_caseworker, as_reviewer, case, show_identifiers=True)
    response = as_caseworker.post(alerts_url(case, alert["id"], "retract"))
    assert response.status_code == 200, response.json()
    [row] = _feed(as_feed_key)
    assert row["reference"] == alert["reference"]
    assert row["status"] == "retracted"
    assert row["retracted_at"]
    assert row["what_happened"] is None and row["offender_description"] is None
    assert row["area"] is None and row["identifiers"] == []


def test_newest_first_filtered_by_area_and_date(as_caseworker, as_reviewer, as_feed_key, case):
    first = published(as_caseworker, as_reviewer, case)
    second = published(as_caseworker, as_reviewer, case, area="Harehills")
    assert [r["reference"] for r in _feed(as_feed_key)] == [
        second["reference"],
        first["reference"],
    ]
    assert [r["reference"] for r in _feed(as_feed_key, "?area=Harehills")] == [second["reference"]]
    after = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+", "%2B")
    assert _feed(as_feed_key, f"?published_after={after}") == []


def test_the_feed_paginates(as_caseworker, as_reviewer, as_feed_key, case):
    for _ in range(3):
        published(as_caseworker, as_reviewer, case)
    page = as_feed_key.get(FEED + "?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]


def test_another_charitys_key_sees_none_of_it(as_caseworker, as_reviewer, case):
    published(as_caseworker, as_reviewer, case)
    _, secret = make_api_key(OrganisationFactory(), ["alerts:read"])
    assert _feed(client_for_key(secret)) == []


def test_a_key_without_alerts_read_is_refused(as_caseworker, as_reviewer, as_charity_key, case):
    published(as_caseworker, as_reviewer, case)
    assert as_charity_key.get(FEED).status_code == 403


def test_an_expired_alert_leaves_the_feed(as_caseworker, as_reviewer, as_feed_key, case, settings):
    published(as_caseworker, as_reviewer, case)
    with time_machine.travel(timezone.now() + timedelta(days=settings.ALERT_LIFETIME_DAYS + 1)):
        assert expire_alerts() == 1
        assert _feed(as_feed_key) == []


def test_a_page_of_the_feed_costs_the_same_for_one_alert_as_for_ten(
    as_caseworker, as_reviewer, as_feed_key, case, django_assert_num_queries
):
    published(as_caseworker, as_reviewer, case, show_identifiers=True)
    as_feed_key.get(FEED)  # the key's last use is written once, not on every request
    # The key with its organisation, the page, then the page's identifiers.
    with django_assert_num_queries(3):
        assert len(_feed(as_feed_key)) == 1
    for _ in range(9):
        published(as_caseworker, as_reviewer, case, show_identifiers=True)
    with django_assert_num_queries(3):
        assert len(_feed(as_feed_key, "?page_size=50")) == 10
