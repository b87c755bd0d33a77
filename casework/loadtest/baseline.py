"""The raw-SQL limit for the API benchmark: a WSGI app with no framework that, for each
benchmarked URL, runs exactly the SQL statements the API issued for it (captured from the API
itself) over psycopg and returns the same JSON body.

Statements that write (the audit event of a detail read, a token refresh) run inside a
transaction that is rolled back, so they can run again with the same values; the API commits
them instead, so on those endpoints the baseline is slightly optimistic."""

import json
import os
import re
import threading

import psycopg

_local = threading.local()
# Django's own savepoints are transaction control, not the endpoint's work: the replay keeps its
# own transaction instead.
_CONTROL = re.compile(
    r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b", re.IGNORECASE
)


def _plan() -> dict:
    with open(os.environ["BASELINE_PLAN"]) as file:
        return json.load(file)


PLAN = _plan() if os.environ.get("BASELINE_PLAN") else {}


def _connection() -> psycopg.Connection:
    if getattr(_local, "connection", None) is None or _local.connection.closed:
        # The same session settings as the API's connections (no JIT for short queries).
        _local.connection = psycopg.connect(
            os.environ["BASELINE_DATABASE_URL"],
            options="-c jit=off -c max_parallel_workers_per_gather=0",
        )
    return _local.connection


def _run(cursor, statement: str, guarded: bool) -> None:
    """Runs one statement. In a request that writes, each statement runs in a savepoint: a row
    the API committed meanwhile (the audit event it inserted with the same sequence number)
    makes the replayed insert fail on its unique key after doing the same work, and the
    request carries on."""
    if not guarded:
        cursor.execute(statement)
        if cursor.description is not None:
            cursor.fetchall()
        return
    cursor.execute("SAVEPOINT replay")
    try:
        cursor.execute(statement)
        if cursor.description is not None:
            cursor.fetchall()
    except psycopg.errors.IntegrityError:
        cursor.execute("ROLLBACK TO SAVEPOINT replay")
    else:
        cursor.execute("RELEASE SAVEPOINT replay")


def application(environ, start_response):
    key = environ.get("PATH_INFO", "") + (
        "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
    )
    entry = PLAN.get(key)
    if entry is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"code": "not_found"}']
    connection = _connection()
    writes = entry["writes"]
    try:
        with connection.cursor() as cursor:
            for statement in entry["statements"]:
                if not _CONTROL.match(statement):
                    _run(cursor, statement, writes)
    except psycopg.Error:
        connection.rollback()
        start_response("500 Internal Server Error", [("Content-Type", "application/json")])
        return [b'{"code": "server_error"}']
    if writes:
        connection.rollback()
    else:
        connection.commit()
    body = entry["body"].encode()
    start_response(
        f"{entry['status']} OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
