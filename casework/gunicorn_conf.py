"""gunicorn's settings for Casework (``gunicorn -c python:casework.gunicorn_conf``): an access
log that names the method, the path, the status, the size and the time, and nothing a caller
sent beside them. Query strings carry filters (a client's id, a search), a referrer can carry
another page's, and the calendar feed's path is its own secret."""

logger_class = "casework.gunicorn_logging.DiscreetLogger"
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s %({x-request-id}o)s'

# SIGTERM (a deploy, ``docker compose stop``) stops taking new connections and lets each worker
# finish the request it is serving, for at most this many seconds; compose waits longer than
# this before it kills (``stop_grace_period`` of the api service).
graceful_timeout = 30
