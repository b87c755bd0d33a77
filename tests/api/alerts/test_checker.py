"""The checker: a number or email is normalised and compared by keyed hash with the identifiers
of the charity's live alerts. It answers whether it matches, how many, the month of the latest
and their references; it keeps only a count per caller per day, and neither the database nor
the logs hold the value asked about."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from casework.alerts.identifiers import query_hashes
from casework.alerts.models import AlertIdentifier, CheckerUsage
from casework.audit.models import AuditEvent
from casework.logging import JsonFormatter

from ...conftest import client_for_key
from ...factories import OrganisationFactory, make_api_key
from ..police_sharing.world import consent
from .world import alerts_url, check, published

pytestmark = pytest.mark.django_db

NEW_CHECKER_KEY = "new1:bmV3LWNoZWNrZXIta2V5LWZvci1yb3RhdGlvbi0zMmI="


@pytest.fixture
def alert(as_caseworker, as_reviewer, case) -> dict:
    return published(as_caseworker, as_reviewer, case)


@pytest.mark.parametrize("written", ["07700 900 123", "+447700900123", "447700900123"])
def test_the_same_number_matches_however_it_is_written(as_checker_key, alert, written):
    response = check(as_checker_key, written)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "matches": True,
        "count": 1,
        "latest_month": alert["week_of"][:7],
        "alerts": [alert["reference"]],
    }


def test_another_number_does_not_match(as_checker_key, alert):
    body = check(as_checker_key, "07700 900 124").json()
    assert body == {"matches": False, "count": 0, "latest_month": None, "alerts": []}


def test_an_email_matches_in_any_case(as_checker_key, alert):
    body = check(as_checker_key, "  DANGEROUS.punter@example.COM ", kind="email").json()
    assert body["matches"] is True


def test_a_profile_address_matches_however_it_is_written(
    as_caseworker, as_reviewer, as_checker_key, case
):
    handle = [{"kind": "handle", "value": "https://www.Instagram.com/Some.One/"}]
    alert = published(as_caseworker, as_reviewer, case, identifiers=handle)
    for written in ["instagram.com/some.one", "http://instagram.com/SOME.ONE"]:
        body = check(as_checker_key, written, kind="handle").json()
        assert body["alerts"] == [alert["reference"]], written
    assert check(as_checker_key, "@some.one", kind="handle").json()["matches"] is False


def test_the_charitys_staff_may_check(as_isva, alert):
    assert check(as_isva, "07700900123", end_user=None).json()["count"] == 1


def _rows_as_text() -> str:
    """Every row of every table of the application, as text."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def test_neither_the_database_nor_the_logs_hold_the_value_asked_about(
    as_checker_key, alert, caplog
):
    asked = "07700 900 987"
    forms = ["7700900987", "7700 900 987", "+447700900987", "447700900987"]
    hashes = [digest for _, digest in query_hashes("phone", "+447700900987")]
    formatter = JsonFormatter()
    caplog.set_level(logging.DEBUG)
    assert check(as_checker_key, asked).json()["matches"] is False
    # An unreadable value is refused without being repeated, or logged either.
    refused = check(as_checker_key, "07700 900 987 ext. nine", kind="email")
    assert refused.status_code == 400
    assert "value" in refused.json()["fields"]
    assert "900 987" not in refused.content.decode()
    stored = _rows_as_text()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    for trace in [*forms, *hashes, "ext. nine"]:
        assert trace not in stored
        assert trace not in logged
    assert CheckerUsage.objects.get().queries == 1  # the refused one answered nothing
    event = AuditEvent.objects.filter(action="checker.query").get()
    assert event.detail == {"kind": "phone", "matches": False, "count": 0}


def test_a_count_per_key_per_day_is_all_that_is_kept(as_checker_key, alert):
    for _ in range(3):
        check(as_checker_key, "07700 900 123")
    usage = CheckerUsage.objects.get()
    assert usage.queries == 3 and usage.day == timezone.localdate()


def test_a_retracted_or_expired_alert_no_longer_matches(
    as_caseworker, as_reviewer, as_checker_key, case, alert, settings
):
    later = published(as_caseworker, as_reviewer, case)
    as_caseworker.post(alerts_url(case, later["id"], "retract"))
    assert check(as_checker_key, "07700900123").json()["alerts"] == [alert["reference"]]
    lifetime = timedelta(days=settings.ALERT_LIFETIME_DAYS + 1)
    with time_machine.travel(timezone.now() + lifetime):  # before the sweep too
        assert check(as_checker_key, "07700900123").json()["matches"] is False


def test_another_charitys_alerts_are_not_checked(alert):
    _, secret = make_api_key(OrganisationFactory(), ["checker:query"])
    assert check(client_for_key(secret), "07700900123").json()["matches"] is False


def test_a_key_without_checker_query_is_refused(as_feed_key, alert):
    assert check(as_feed_key, "07700900123").status_code == 403
    assert not CheckerUsage.objects.exists()


def test_a_key_must_name_its_end_user(as_checker_key, alert):
    response = check(as_checker_key, "07700900123", end_user=None)
    assert response.status_code == 400
    assert "Checker-End-User" in response.json()["fields"]
    assert not CheckerUsage.objects.exists()


def test_over_the_rate_for_an_end_user_is_refused_and_counts_nothing(
    as_checker_key, alert, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "checker_end_user": "2/minute"}
    assert check(as_checker_key, "07700900123", end_user="a").status_code == 200
    assert check(as_checker_key, "07700900123", end_user="a").status_code == 200
    refused = check(as_checker_key, "07700900123", end_user="a")
    assert refused.status_code == 429
    assert refused.get("Retry-After")
    assert check(as_checker_key, "07700900123", end_user="b").status_code == 200
    assert CheckerUsage.objects.get().queries == 3


def test_over_the_rate_for_a_key_is_refused_whoever_the_end_user(as_checker_key, alert, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "checker": "2/minute"}
    assert check(as_checker_key, "07700900123", end_user="a").status_code == 200
    assert check(as_checker_key, "07700900123", end_user="b").status_code == 200
    assert check(as_checker_key, "07700900123", end_user="c").status_code == 429
    assert CheckerUsage.objects.get().queries == 2


def test_a_rotated_key_keeps_matching_while_and_after_identifiers_are_rehashed(
    as_checker_key, alert, settings
):
    old = settings.CHECKER_HASH_KEYS
    settings.CHECKER_HASH_KEYS = [NEW_CHECKER_KEY, *old]
    assert check(as_checker_key, "07700900123").json()["matches"] is True  # old hashes
    call_command("rehash_checker_identifiers")
    assert set(AlertIdentifier.objects.values_list("hash_key_id", flat=True)) == {"new1"}
    settings.CHECKER_HASH_KEYS = [NEW_CHECKER_KEY]
    assert check(as_checker_key, "07700900123").json()["matches"] is True


def test_withdrawn_consent_stops_matches_at_once(as_caseworker, as_checker_key, case, alert):
    consent(as_caseworker, case, "warn_others", granted=False)
    assert check(as_checker_key, "07700900123").json()["matches"] is False
