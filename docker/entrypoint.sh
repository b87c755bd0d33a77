#!/bin/sh
# One image, three roles: the API, a Celery worker and Celery beat; and the migration step.
set -eu
case "${1:-api}" in
  api)
    shift || true
    # Trusting forwarded headers from anyone would let any caller choose the address the
    # lockout, the throttles and the audit trail record, and claim HTTPS.
    case "${FORWARDED_ALLOW_IPS:-127.0.0.1}" in
      *'*'*) echo "FORWARDED_ALLOW_IPS must name the proxy's address, never '*'." >&2; exit 64 ;;
    esac
    exec gunicorn casework.wsgi -c python:casework.gunicorn_conf --bind 0.0.0.0:8000 \
      --workers "${GUNICORN_WORKERS:-2}" --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" "$@" ;;
  worker)
    shift
    exec celery -A casework worker --loglevel=INFO --concurrency "${CELERY_CONCURRENCY:-2}" "$@" ;;
  beat)
    shift
    exec celery -A casework beat --loglevel=INFO --schedule /tmp/celerybeat-schedule "$@" ;;
  migrate)
    # As the owner (DATABASE_OWNER_URL): the runtime role first, with the password DATABASE_URL
    # gives it, then the migrations, after which its privileges are granted again.
    python manage.py setup_database_roles
    exec python manage.py migrate --no-input ;;
  *)
    exec "$@" ;;
esac
