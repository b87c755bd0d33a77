"""A task really goes through the Redis broker to a separate worker process and back."""

import os

import pytest

from casework.accounts import tasks

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_task_round_trips_through_the_real_broker_and_worker(celery_worker_process):
    result = tasks.ping.delay("hello")
    outcome = result.get(timeout=30)
    assert outcome["echo"] == "hello"
    assert outcome["worker_pid"] != os.getpid()


def test_the_worker_uses_the_test_database(celery_worker_process, caseworker):
    from datetime import timedelta

    from django.utils import timezone
    from knox.models import AuthToken

    AuthToken.objects.create(user=caseworker, expiry=timedelta(seconds=-1))
    AuthToken.objects.create(user=caseworker)
    deleted = tasks.purge_expired_tokens.delay().get(timeout=30)
    assert deleted == 1
    assert AuthToken.objects.filter(user=caseworker, expiry__gt=timezone.now()).count() == 1
