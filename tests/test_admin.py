"""Every model has an admin page, and only superusers get in."""

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

PROJECT_APPS = [c for c in apps.get_app_configs() if c.name.startswith("casework.")]


def test_every_project_model_is_registered_in_the_admin():
    models = [m for config in PROJECT_APPS for m in config.get_models()]
    assert models
    missing = [m.__name__ for m in models if not admin.site.is_registered(m)]
    assert missing == []


def test_staff_who_are_not_superusers_are_kept_out(client, supervisor):
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superusers_get_in_and_every_changelist_renders(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    for config in PROJECT_APPS:
        for model in config.get_models():
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url
