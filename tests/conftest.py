"""Shared fixtures: API clients signed in as real users of real roles, and a real Celery worker."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from casework.accounts.services.auth import login

from .factories import (
    IsvaFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SuperuserFactory,
    SupervisorFactory,
    UserFactory,
    make_api_key,
)

pytest_plugins = ["tests.celery_worker", "tests.attachments"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_blocker):
    """The test database is created, migrated and dropped by the owner DATABASE_URL signs in as,
    not by the runtime role the settings switch to; and the runtime role must exist before the
    migrations end, since the grants that follow them name it."""
    from django.db import connection

    from casework.core.database_roles import ensure_runtime_role

    connection.settings_dict["OPTIONS"].pop("assume_role", None)
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        ensure_runtime_role(cursor)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Once the test database is made, the application under test runs as the runtime role:
    every connection switches to it on opening, as in development."""
    from django.conf import settings
    from django.db import connections

    options = connections["default"].settings_dict["OPTIONS"]
    with django_db_blocker.unblock():
        connections.close_all()
    options["assume_role"] = settings.DATABASE_APP_ROLE
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    options.pop("assume_role", None)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_truncate_guards():
    """Transactional tests empty the test database with TRUNCATE, which the append-only tables
    refuse and the runtime role has no right to; the flush between tests is the one place that
    is allowed past both, as the owner."""
    import pgtrigger
    from django.test import TransactionTestCase

    from casework.core.database_roles import as_owner
    from casework.core.triggers import truncate_guards

    original = TransactionTestCase._fixture_teardown

    def teardown(self):
        with as_owner(), pgtrigger.ignore(*truncate_guards()):
            original(self)

    TransactionTestCase._fixture_teardown = teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the real Redis cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


class Api(APIClient):
    """An API client with the caller it acts as."""

    principal = None


def client_for(user) -> Api:
    """Signs in through the real login service, so the token is a real knox token."""
    client = Api()
    request = RequestFactory().post("/api/v1/auth/login/")
    _, token, _ = login(request=request, username=user.username, password=_password_of(user))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.principal = user
    return client


def _password_of(user) -> str:
    from .factories import PASSWORD

    return getattr(user, "raw_password", PASSWORD)


def client_for_key(secret: str) -> Api:
    client = Api()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


@pytest.fixture
def anonymous() -> Api:
    return Api()


@pytest.fixture
def charity(db):
    return OrganisationFactory()


@pytest.fixture
def other_charity(db):
    return OrganisationFactory()


@pytest.fixture
def police_force(db):
    return PoliceForceFactory()


@pytest.fixture
def supervisor(charity):
    return SupervisorFactory(organisation=charity)


@pytest.fixture
def caseworker(charity):
    return UserFactory(organisation=charity)


@pytest.fixture
def isva(charity):
    return IsvaFactory(organisation=charity)


@pytest.fixture
def police_liaison(police_force):
    return PoliceLiaisonFactory(organisation=police_force)


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def as_supervisor(supervisor) -> Api:
    return client_for(supervisor)


@pytest.fixture
def as_caseworker(caseworker) -> Api:
    return client_for(caseworker)


@pytest.fixture
def as_isva(isva) -> Api:
    return client_for(isva)


@pytest.fixture
def as_police(police_liaison) -> Api:
    return client_for(police_liaison)


@pytest.fixture
def as_superuser(superuser) -> Api:
    return client_for(superuser)


@pytest.fixture
def charity_key(charity):
    api_key, secret = make_api_key(charity)
    return api_key, secret


@pytest.fixture
def as_charity_key(charity_key) -> Api:
    return client_for_key(charity_key[1])
