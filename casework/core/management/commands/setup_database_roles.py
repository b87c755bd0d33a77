from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from casework.core.database_roles import (
    DatabaseRoleError,
    as_owner,
    ensure_runtime_role,
    grant_runtime_privileges,
    runtime_role,
)


class Command(BaseCommand):
    help = (
        "As the database owner, create the runtime role (DATABASE_APP_ROLE) if it is missing and "
        "grant it its privileges: rows of every table, but no change or removal of audit events "
        "or consent decisions, no TRUNCATE, nothing it could alter. When DATABASE_URL signs in "
        "as the runtime role with a password, the role is given that password. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        password = self._password(database)
        try:
            with (
                as_owner(database) as connection,
                transaction.atomic(using=database),
                connection.cursor() as cursor,
            ):
                created = ensure_runtime_role(cursor, password=password)
                grant_runtime_privileges(connection)
        except DatabaseRoleError as error:
            raise CommandError(str(error)) from error
        verb = "Created" if created else "Found"
        self.stdout.write(f"{verb} the runtime role {runtime_role()} and granted its privileges.")

    @staticmethod
    def _password(database: str) -> str | None:
        """The runtime role's own password, where DATABASE_URL signs in as it (read before
        the connection is switched to the owner's credentials)."""
        runtime = connections[database].settings_dict
        if runtime.get("USER") == runtime_role():
            return runtime.get("PASSWORD") or None
        return None
