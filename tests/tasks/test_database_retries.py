"""A task that finds PostgreSQL unreachable is retried, not lost: every task of the service is
made with the retrying base (``casework.celery.DatabaseRetryingTask``)."""

import pytest
from django.db import OperationalError

from casework.celery import DatabaseRetryingTask, app
from casework.reminders import tasks as reminder_tasks

attempts: list[int] = []


@app.task(name="tests.flaky_database_task")
def flaky_database_task() -> str:
    attempts.append(1)
    if len(attempts) < 3:
        raise OperationalError("server closed the connection unexpectedly")
    return "done"


def test_a_task_that_loses_the_database_is_retried_until_it_comes_back():
    attempts.clear()
    result = flaky_database_task.apply()
    assert result.get() == "done"
    assert len(attempts) == 3


def _service_tasks() -> list[str]:
    app.loader.import_default_modules()  # every task module, as a worker loads them
    return sorted(n for n in app.tasks if n.startswith("casework."))


@pytest.mark.parametrize("name", _service_tasks())
def test_every_task_of_the_service_retries_when_the_database_is_unreachable(name):
    task = app.tasks[name]
    assert isinstance(task, DatabaseRetryingTask)
    assert OperationalError in tuple(task.autoretry_for)
    assert 0 < task.max_retries <= 12


def test_the_mail_tasks_keep_their_own_retries_and_add_the_database():
    assert OperationalError in reminder_tasks.MAIL_ERRORS
    assert reminder_tasks.email_reminder.retry_backoff == 30
