from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.account_settings, name="settings"),
    path("settings/invitations/", views.invite_member, name="invite"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "settings/members/<int:user_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "settings/members/<int:user_id>/roles/",
        views.change_member_roles,
        name="member_roles",
    ),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path(
        "settings/api-keys/<int:key_id>/toggle/",
        views.api_key_toggle,
        name="api_key_toggle",
    ),
    path(
        "settings/api-keys/<int:key_id>/delete/",
        views.api_key_delete,
        name="api_key_delete",
    ),
    path("switch/", views.switch, name="switch"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
