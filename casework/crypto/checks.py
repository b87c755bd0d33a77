"""Startup check: the keyring must load, so a bad key stops the process before it serves."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register("security")
def keyring_loads(app_configs, **kwargs):
    from .keyring import keyring

    keyring.cache_clear()
    try:
        keyring()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="casework.E001")]
    return []
