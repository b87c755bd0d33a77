import uuid

from django.core.management.base import BaseCommand, CommandError

from casework.accounts.models import ApiKey
from casework.accounts.services.api_keys import api_key_revoke
from casework.core.errors import Conflict


class Command(BaseCommand):
    help = "Revoke an API key, by its id or its prefix (the part before the dot)."

    def add_arguments(self, parser):
        parser.add_argument("key", help="the key's id or prefix")

    def handle(self, *args, key, **options):
        api_key = ApiKey.objects.filter(prefix=key).first()
        if api_key is None:
            try:
                api_key = ApiKey.objects.filter(public_id=uuid.UUID(key)).first()
            except ValueError:
                api_key = None
        if api_key is None:
            raise CommandError(f"No API key {key}.")
        try:
            api_key_revoke(api_key=api_key, by="command:revoke_api_key")
        except Conflict as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Revoked API key {api_key.prefix} ({api_key.name})")
