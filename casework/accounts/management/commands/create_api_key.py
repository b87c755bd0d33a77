from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.choices import Scope
from casework.accounts.models import Organisation
from casework.accounts.services.api_keys import api_key_create

from .create_organisation import validation_message


class Command(BaseCommand):
    help = "Create an API key for another system. The key is printed once and never again."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's code")
        parser.add_argument("--name", required=True, help="what system the key is for")
        parser.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )

    def handle(self, *args, organisation, name, scopes, **options):
        try:
            org = Organisation.objects.get(code=organisation.upper())
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with code {organisation}.") from None
        try:
            api_key, secret = api_key_create(
                organisation=org, name=name, scopes=scopes, by="command:create_api_key"
            )
        except ValidationError as error:
            raise CommandError(validation_message(error)) from None
        self.stdout.write(
            f"API key {api_key.public_id} for {org.name}, scopes {', '.join(api_key.scopes)}"
        )
        self.stdout.write(f"Key (shown once): {secret}")
