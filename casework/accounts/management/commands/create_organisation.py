from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.choices import OrganisationKind
from casework.accounts.services.organisations import organisation_create


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a charity or a police force."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--code", required=True, help="2-8 capital letters, used in case references"
        )
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)

    def handle(self, *args, name, code, kind, **options):
        try:
            organisation = organisation_create(
                name=name, code=code, kind=kind, by="command:create_organisation"
            )
        except ValidationError as error:
            raise CommandError(validation_message(error)) from None
        self.stdout.write(f"Created {organisation} with id {organisation.id}")
