from django.urls import path

from domains import views

app_name = "domains"

urlpatterns = [
    path("domains/", views.domain_list, name="list"),
    path("domains/new/", views.domain_create, name="create"),
    path("domains/<int:domain_id>/", views.domain_detail, name="detail"),
    path("domains/<int:domain_id>/check/", views.domain_check, name="check"),
    path("domains/<int:domain_id>/delete/", views.domain_delete, name="delete"),
    path(
        "domains/<int:domain_id>/quota-request/",
        views.domain_quota_request,
        name="quota_request",
    ),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:address_id>/", views.address_detail, name="address_detail"),
    path(
        "addresses/<int:address_id>/settings/",
        views.address_update,
        name="address_update",
    ),
    path(
        "addresses/<int:address_id>/smtp-password/",
        views.address_password,
        name="address_password",
    ),
    path(
        "addresses/<int:address_id>/delete/",
        views.address_delete,
        name="address_delete",
    ),
]
