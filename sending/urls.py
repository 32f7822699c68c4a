from django.urls import path

from sending import views
from sesconsole.views import not_built

app_name = "sending"

urlpatterns = [
    path("send/", views.send, name="send"),
    path("send/requests/<str:request_id>/", views.request_status, name="request"),
    path("messages/", views.message_log, name="messages"),
    path("messages/<str:message_id>/", views.message_detail, name="message"),
    path("suppression/", views.suppression_list, name="suppression"),
    path("suppression/new/", views.suppression_add, name="suppression_add"),
    path(
        "suppression/<int:suppression_id>/remove/",
        views.suppression_remove,
        name="suppression_remove",
    ),
    path("dev/mailbox/", views.dev_mailbox, name="dev_mailbox"),
    path(
        "dev/mailbox/<str:key>/", views.dev_mailbox_message, name="dev_mailbox_message"
    ),
    path(
        "batches/",
        not_built,
        {
            "area": "Batch sending",
            "summary": "Send to a recipient list now, at a set time, or on a schedule.",
        },
        name="batches",
    ),
    path(
        "recipient-lists/",
        not_built,
        {
            "area": "Recipient lists",
            "summary": "Upload CSV files of recipients and their variables.",
        },
        name="recipient_lists",
    ),
]
