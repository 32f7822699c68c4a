import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(email="staff@platform.example.com", is_staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    ours = {"accounts", "domains", "templates_app", "sending", "stats"}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    ]
    assert not missing


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: m._meta.label
)
def test_staff_can_list_search_and_add(staff_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(changelist, {"q": "x"}).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert staff_client.get(add).status_code in {200, 403}


def test_members_cannot_reach_the_admin(owner_client):
    response = owner_client.get(reverse("admin:index"))

    assert response.status_code == 302
