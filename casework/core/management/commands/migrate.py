from django.core.management.base import CommandError
from django.core.management.commands import migrate

from casework.core.database_roles import DatabaseRoleError, as_owner, refuse_the_runtime_role


class Command(migrate.Command):
    """Django's migrate, run as the database owner; after it the runtime role's privileges are
    applied again (``casework.core.database_roles``), so a new table is covered at once."""

    help = (
        "Apply migrations as the database owner (DATABASE_OWNER_URL, or DATABASE_URL's sign-in "
        "without its switch to the runtime role), then grant the runtime role its privileges."
    )

    def handle(self, *args, **options):
        try:
            with as_owner(options["database"]) as connection:
                refuse_the_runtime_role(connection, "migrate")
                return super().handle(*args, **options)
        except DatabaseRoleError as error:
            raise CommandError(str(error)) from error
