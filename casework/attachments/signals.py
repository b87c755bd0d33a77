"""A stored file goes with its record: once the deletion commits, never before (a rolled-back
deletion keeps both)."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import storage
from .models import Attachment


@receiver(post_delete, sender=Attachment, dispatch_uid="attachment-file-goes-with-record")
def _remove_file(sender: type, instance: Attachment, **kwargs: object) -> None:
    transaction.on_commit(partial(storage.remove, instance.storage_name))
