"""Every console page, every kind of person: the status written here is the status the console
gives. Written by hand from the product rules (permissions/pages.py holds them in code); a page
added to console/urls.py without a row here fails ``test_every_console_page_is_in_the_matrix``.

Statuses: 200 shown; 302 done (a form) or, for someone not signed in, sent to sign in; 404 not
there or not theirs, never 403, so nothing says a page or record exists."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from casework.reminders.choices import ReminderKind
from casework.reminders.models import Reminder

from ..factories import (
    CaseFactory,
    PoliceLiaisonFactory,
    ReferralFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
)
from .world import Console, console_for

pytestmark = pytest.mark.django_db

PEOPLE = ("anonymous", "caseworker", "supervisor", "other_charity", "police")
SIGN_IN = 302


def snooze(world):
    until = timezone.localtime() + timedelta(days=1)
    return {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "Away this week"}


def update(world):
    return {"kind": "investigation", "body": "Arrest made.", "form_token": str(world["token"])}


# route: (method, path, body, {person: status}); paths name the world's objects in braces.
MATRIX = {
    "home": ("GET", "/app/", None, dict.fromkeys(PEOPLE, 302)),
    "sign-in": ("GET", "/app/sign-in/", None, {"anonymous": 200} | dict.fromkeys(PEOPLE[1:], 302)),
    "sign-out": ("POST", "/app/sign-out/", None, dict.fromkeys(PEOPLE, 302)),
    "two-factor": (
        "GET",
        "/app/two-factor/",
        None,
        {"anonymous": SIGN_IN} | dict.fromkeys(PEOPLE[1:], 200),
    ),
    "caseload": (
        "GET",
        "/app/caseload/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 200,
            "police": 404,
        },
    ),
    "team": (
        "GET",
        "/app/team/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "escalated": (
        "GET",
        "/app/escalated/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "staff": (
        "GET",
        "/app/staff/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "case": (
        "GET",
        "/app/cases/{case}/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "identity": (
        "POST",
        "/app/cases/{case}/identity/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "log-contact": (
        "GET",
        "/app/cases/{case}/contacts/new/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "reminder-complete": (
        "POST",
        "/app/reminders/{reminder}/complete/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 302,
            "supervisor": 302,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "reminder-snooze": (
        "POST",
        "/app/reminders/{reminder}/snooze/",
        snooze,
        {
            "anonymous": SIGN_IN,
            "caseworker": 302,
            "supervisor": 302,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "referral-new": (
        "GET",
        "/app/referrals/new/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 200,
            "police": 404,
        },
    ),
    "referral": (
        "GET",
        "/app/referrals/{referral}/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 200,
            "supervisor": 200,
            "other_charity": 404,
            "police": 404,
        },
    ),
    "shared-cases": (
        "GET",
        "/app/shared/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 404,
            "other_charity": 404,
            "police": 200,
        },
    ),
    "shared-case": (
        "GET",
        "/app/shared/{share}/",
        None,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 404,
            "other_charity": 404,
            "police": 200,
        },
    ),
    "shared-update": (
        "POST",
        "/app/shared/{share}/updates/",
        update,
        {
            "anonymous": SIGN_IN,
            "caseworker": 404,
            "supervisor": 404,
            "other_charity": 404,
            "police": 302,
        },
    ),
    "unknown": (
        "GET",
        "/app/no-such-page/",
        None,
        {"anonymous": SIGN_IN} | dict.fromkeys(PEOPLE[1:], 404),
    ),
}


@pytest.fixture
def world(caseworker, police_force):
    supervisor = SupervisorFactory(organisation=caseworker.organisation)
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    reminder = Reminder.objects.create(
        kind=ReminderKind.NO_RECENT_CONTACT,
        dedup_key="console-matrix",
        organisation=caseworker.organisation,
        case=share.case,
        assignee=caseworker,
        due_at=timezone.now() - timedelta(hours=1),
    )
    return {
        "people": {
            "caseworker": caseworker,
            "supervisor": supervisor,
            "other_charity": UserFactory(),
            "police": PoliceLiaisonFactory(organisation=police_force),
        },
        "case": share.case.pk,
        "share": share.pk,
        "reminder": reminder.pk,
        "referral": ReferralFactory(organisation=caseworker.organisation, actor=caseworker).pk,
        "token": "6d1f0c53-0b1e-4c39-9d55-0a4d7c3f1f11",
    }


def test_every_console_page_is_in_the_matrix():
    resolver = get_resolver()
    console = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "console")
    names = {p.name for p in console.url_patterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_the_console_gives_each_person_the_status_the_matrix_says(route, world):
    method, path, body, expected = MATRIX[route]
    url = path.format(**{k: v for k, v in world.items() if k != "people"})
    got = {}
    for person in PEOPLE:
        with transaction.atomic():
            console = Console() if person == "anonymous" else console_for(world["people"][person])
            data = body(world) if callable(body) else body
            response = console.get(url) if method == "GET" else console.submit(url, data)
            got[person] = response.status_code
            if (
                person == "anonymous"
                and response.status_code == 302
                and route
                not in (
                    "home",
                    "sign-out",
                )
            ):
                assert response["Location"] == "/app/sign-in/"
            transaction.set_rollback(True)
    assert got == expected
