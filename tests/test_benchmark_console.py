"""``manage.py benchmark_console`` on a little generated data: the people it signs in as open
every page it measures (a 200, never the sign-in page or a refusal), and it refuses a database
without generated data. The timed part (gunicorn and wrk) is run by hand, never here."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from casework.loadtest.management.commands.benchmark_console import Command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_it_refuses_a_database_without_generated_data(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(CommandError, match="generate_load_data"):
        call_command("benchmark_console", stdout=StringIO())


def test_every_page_it_measures_opens_for_the_person_it_signs_in_as():
    call_command("generate_load_data", "--cases", "300", stdout=StringIO())
    command = Command(stdout=StringIO(), stderr=StringIO())
    pages = command._pages()
    assert {p["path"].split("/")[2] for p in pages} == {
        "caseload",
        "cases",
        "team",
        "escalated",
        "staff",
        "shared",
    }
    for page in pages:
        command._capture(page)  # raises unless the page answers 200
        assert page["statements"] > 0
        assert page["headers"]["Cookie"].endswith(page["session"])
