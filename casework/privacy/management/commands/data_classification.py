from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.privacy.classification import DOCUMENT, render_markdown


class Command(BaseCommand):
    help = (
        "Print the data classification of every stored field (docs/data-classification.md); "
        "--write updates that file, --check fails when it is not current."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true")
        group.add_argument("--check", action="store_true")

    def handle(self, *args, write=False, check=False, **options):
        text = render_markdown()
        path = Path(settings.BASE_DIR) / DOCUMENT
        if write:
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {DOCUMENT}.")
        elif check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"{DOCUMENT} is not current: run manage.py data_classification --write."
                )
            self.stdout.write(f"{DOCUMENT} is current.")
        else:
            self.stdout.write(text, ending="")
