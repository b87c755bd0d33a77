"""The service's WSGI application with ``tests.support.pause`` installed in each gunicorn
worker: a test serves ``tests.support.paused_wsgi:application`` to hold a request at a point
it names (``PAUSE_AT``) and stop the server while the request is there."""

from casework.wsgi import application

from .pause import install

install()

__all__ = ["application"]
