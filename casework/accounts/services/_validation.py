from django.core.exceptions import ValidationError
from django.db import models


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation, raised as Django's ``ValidationError`` with a message per field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
