import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.choices import Role
from casework.accounts.models import Organisation
from casework.accounts.services.password_links import password_link_send
from casework.accounts.services.staff import staff_create

from .create_organisation import validation_message


class Command(BaseCommand):
    help = (
        "Create a member of staff with a role in an organisation. With --send-password-link "
        "they set their own password through a link emailed to --email; otherwise the password "
        "comes from CASEWORK_STAFF_PASSWORD or is asked for, never from the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's code")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--send-password-link",
            action="store_true",
            help="email them a single-use link to set their own password (needs --email)",
        )

    def handle(self, *args, **options):
        try:
            organisation = Organisation.objects.get(code=options["organisation"].upper())
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with code {options['organisation']}.") from None
        by = "command:create_staff"
        if options["send_password_link"]:
            if not options["email"]:
                raise CommandError("--send-password-link needs --email.")
            password = None
        else:
            password = os.environ.get("CASEWORK_STAFF_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = staff_create(
                by=by,
                organisation=organisation,
                username=options["username"],
                password=password,
                role=options["role"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError(validation_message(error)) from None
        if password is None and not password_link_send(user=user, by=by):
            self.stderr.write("The email did not leave; send another link through the API.")
        self.stdout.write(
            f"Created {user.username} ({user.get_role_display()}) in {organisation.name}"
        )
