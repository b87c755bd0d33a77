"""The two PostgreSQL roles Casework runs as.

The owner migrates and owns every table. The runtime role, which the API, the workers and beat
use, owns nothing: it reads and writes rows, and may neither update nor delete an audit event
or a consent decision, nor truncate, alter or disable the triggers of any table. The append-only
triggers alone would not be enough, because any session can step past them (pgtrigger's ignore
is a session setting); privileges cannot be stepped past without the owner's credentials.

Grants are applied after every ``migrate`` (so a new table is covered at once) and by
``setup_database_roles``, which also creates the runtime role. Both act as the owner, through
``as_owner``: ``DATABASE_OWNER_URL`` when it is set, otherwise ``DATABASE_URL``'s own sign-in
with its switch to the runtime role (``SET ROLE``) undone for the duration."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import environ
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from psycopg import sql
from psycopg.pq import TransactionStatus

# Rows of these the runtime role may add and read, never change or remove.
LEDGERS = ("audit.AuditEvent", "sharing.ConsentDecision")
# Tables the runtime role only reads.
READ_ONLY_TABLES = ("django_migrations",)
# The narrow SECURITY DEFINER functions through which the runtime role does what it otherwise
# may not (each is created by a migration, with EXECUTE taken from PUBLIC).
RUNTIME_FUNCTIONS = ("privacy_wipe_consent_notes(uuid)",)


class DatabaseRoleError(Exception):
    """The roles cannot be set up as asked; the message says what to do."""


def runtime_role() -> str:
    return settings.DATABASE_APP_ROLE


def ledger_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in LEDGERS]


def _switched_role(connection) -> str | None:
    return connection.settings_dict["OPTIONS"].get("assume_role")


@contextmanager
def as_owner(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """The connection ``using``, acting as the database owner inside the block.

    With ``DATABASE_OWNER_URL`` the connection is closed and opened again with the owner's
    credentials (on the same database), and closed again afterwards; that cannot happen inside
    a transaction. Otherwise, when the connection signs in as the owner and switches to the
    runtime role (development and tests), the switch is undone with ``RESET ROLE`` and made
    again on the way out, so rows not yet committed stay visible. A connection that signs in as
    the runtime role itself, with no owner URL, is yielded unchanged: callers check what it may
    do and say how to run them as the owner."""
    connection = connections[using]
    if settings.DATABASE_OWNER_URL:
        with _owner_credentials(connection):
            yield connection
    elif _switched_role(connection):
        with _role_reset(connection):
            yield connection
    else:
        yield connection


@contextmanager
def _owner_credentials(connection) -> Iterator[None]:
    if connection.in_atomic_block:
        raise DatabaseRoleError(
            "Cannot switch to the owner's connection (DATABASE_OWNER_URL) inside a transaction."
        )
    owner = environ.Env.db_url_config(settings.DATABASE_OWNER_URL)
    current = connection.settings_dict
    if owner.get("NAME") and owner["NAME"] != current["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_OWNER_URL names the database {owner['NAME']!r}, DATABASE_URL "
            f"{current['NAME']!r}; both must name the same database."
        )
    saved = {key: current.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")}
    options = {k: v for k, v in current["OPTIONS"].items() if k != "assume_role"}
    connection.close()
    current.update(
        USER=owner.get("USER", ""),
        PASSWORD=owner.get("PASSWORD", ""),
        HOST=owner.get("HOST", "") or saved["HOST"],
        PORT=owner.get("PORT", "") or saved["PORT"],
        OPTIONS=options,
    )
    try:
        yield
    finally:
        connection.close()
        current.update(saved)


@contextmanager
def _role_reset(connection) -> Iterator[None]:
    # Without the switch in its options, a connection opened now or inside the block signs in
    # as the owner and stays so: the runtime role may not exist yet (setup_database_roles).
    options = connection.settings_dict["OPTIONS"]
    role = options.pop("assume_role")
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        yield
    finally:
        options["assume_role"] = role
        _switch_back(connection, role)


def _switch_back(connection, role: str) -> None:
    raw = connection.connection
    if raw is None or raw.closed:
        return  # it switches when it opens again
    if connection.needs_rollback or raw.info.transaction_status == TransactionStatus.INERROR:
        # The failed transaction began before the block (one begun inside it has ended by
        # now), so the RESET ROLE was made inside it, and its rollback undoes it.
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET ROLE %s", [role])
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()  # the next connection switches on opening


def current_role(cursor) -> str:
    cursor.execute("SELECT current_user")
    return cursor.fetchone()[0]


def refuse_the_runtime_role(connection, what: str) -> None:
    """Stops a command that must act as the owner when it would act as the runtime role."""
    with connection.cursor() as cursor:
        if current_role(cursor) == runtime_role():
            raise DatabaseRoleError(
                f"{what} must run as the database owner, not as the runtime role "
                f"{runtime_role()!r}: set DATABASE_OWNER_URL to the owner's connection to the "
                "same database (see README.md, 'Database roles')."
            )


def ensure_runtime_role(cursor, *, password: str | None = None) -> bool:
    """Creates the runtime role if it is missing (True when it did), sets its password when one
    is given, and refuses a runtime role that could bypass its privileges."""
    role = runtime_role()
    if current_role(cursor) == role:
        raise DatabaseRoleError(
            f"The runtime role {role!r} cannot set itself up; connect as the owner."
        )
    cursor.execute(
        "SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles "
        "WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    created = row is None
    if created:
        # Roles belong to the whole server: another set-up may create it at the same moment.
        statement = sql.SQL(
            "DO $do$ BEGIN CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            "NOREPLICATION NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $do$"
        ).format(sql.Identifier(role))
        cursor.execute(_text(cursor, statement))
    elif row[0]:
        raise DatabaseRoleError(
            f"The runtime role {role!r} is a superuser or may create roles or databases, "
            "or bypass row security; it must be able to do none of that."
        )
    if password:
        statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)
        )
        cursor.execute(_text(cursor, statement))
    return created


def grant_runtime_privileges(connection) -> None:
    """Gives the runtime role what it needs and no more, on every table there is now.

    In one transaction: the broad grant and the revocations that narrow it become visible
    together, so the role never holds, even for a moment, a right it must not have."""
    role = runtime_role()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), to_regrole(%s) IS NOT NULL", [role])
        schema, exists = cursor.fetchone()
        if not exists:
            raise DatabaseRoleError(
                f"The runtime role {role!r} does not exist; create it with "
                "'python manage.py setup_database_roles'."
            )
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relowner = to_regrole(%s)",
            [schema, role],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise DatabaseRoleError(
                f"The runtime role {role!r} owns {', '.join(sorted(owned))}; an owner's "
                "privileges cannot be taken away. Give them to the owner (REASSIGN OWNED BY)."
            )
        r, s = sql.Identifier(role), sql.Identifier(schema)
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(s, r),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                s, r
            ),
            sql.SQL(
                "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}"
            ).format(s, r),
            sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
            sql.SQL("REVOKE SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(s, r),
        ]
        for table in _existing(cursor, tuple(ledger_tables())):
            statements.append(
                sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), r)
            )
        for table in _existing(cursor, READ_ONLY_TABLES):
            statements.append(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(
                    sql.Identifier(table), r
                )
            )
        for function in RUNTIME_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:
                statements.append(
                    sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), r)
                )
        for statement in statements:
            cursor.execute(_text(cursor, statement))
        _check_nothing_left_over(cursor, role, schema)


def _check_nothing_left_over(cursor, role: str, schema: str) -> None:
    """What the role may still do to the protected tables, however it came by it: a grant to
    PUBLIC, or membership of the owner's role (whose members may act as the owner)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND ("
        "  pg_has_role(%s, c.relowner, 'MEMBER')"
        "  OR has_table_privilege(%s, c.oid, 'TRUNCATE')"
        "  OR (c.relname = ANY(%s) AND has_table_privilege(%s, c.oid, 'UPDATE, DELETE')))",
        [schema, role, role, ledger_tables(), role],
    )
    exposed = sorted(name for (name,) in cursor.fetchall())
    if exposed:
        raise DatabaseRoleError(
            f"The runtime role {role!r} could still change or empty {', '.join(exposed)} "
            "(through PUBLIC, or as a member of the owner's role); take that away first."
        )


def _existing(cursor, tables: tuple[str, ...]) -> list[str]:
    """Those of ``tables`` there are yet (``setup_database_roles`` may run before migrating)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r' "
        "AND relnamespace = current_schema()::regnamespace",
        [list(tables)],
    )
    return [name for (name,) in cursor.fetchall()]


def _text(cursor, statement: sql.Composable) -> str:
    """psycopg's composition quotes identifiers and literals; Django's cursor wants a string."""
    return statement.as_string(cursor.cursor)


def grant_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """post_migrate receiver. ``flush`` sends the signal too, without a plan; the grants are
    not touched then (flushing rows changes no table)."""
    if plan is None:
        return
    grant_runtime_privileges(connections[using])
