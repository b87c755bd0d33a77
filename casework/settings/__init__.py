"""Settings packages: ``base`` holds what every environment shares; ``dev``, ``test`` and ``prod``
adjust it. ``manage.py`` defaults to ``dev``; production sets ``DJANGO_SETTINGS_MODULE``."""
