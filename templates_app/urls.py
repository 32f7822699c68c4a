from django.urls import path

from templates_app import views

app_name = "templates_app"

urlpatterns = [
    path("templates/", views.template_list, name="list"),
    path("templates/new/", views.template_create, name="create"),
    path("templates/<int:template_id>/", views.template_detail, name="detail"),
    path("templates/<int:template_id>/edit/", views.template_edit, name="edit"),
    path("templates/<int:template_id>/submit/", views.template_submit, name="submit"),
    path(
        "templates/<int:template_id>/withdraw/",
        views.template_withdraw,
        name="withdraw",
    ),
    path(
        "templates/<int:template_id>/versions/<int:number>/preview/",
        views.template_preview,
        name="preview",
    ),
    path(
        "templates/<int:template_id>/versions/<int:number>/frame/",
        views.preview_frame,
        name="preview_frame",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:version_id>/", views.review_version, name="review"),
    path("review/<int:version_id>/approve/", views.approve, name="approve"),
    path("review/<int:version_id>/reject/", views.reject, name="reject"),
]
