from django.urls import path

from sending import batch_views, views, webhook_views

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
    # Batch sending: recipient lists, batch tasks and the queue.
    path("recipient-lists/", batch_views.recipient_lists, name="recipient_lists"),
    path(
        "recipient-lists/new/",
        batch_views.recipient_list_create,
        name="recipient_list_create",
    ),
    path(
        "recipient-lists/<int:list_id>/",
        batch_views.recipient_list_detail,
        name="recipient_list",
    ),
    path(
        "recipient-lists/<int:list_id>/upload/",
        batch_views.recipient_list_upload,
        name="recipient_list_upload",
    ),
    path(
        "recipient-lists/<int:list_id>/invalid-rows.csv",
        batch_views.recipient_list_invalid_rows,
        name="recipient_list_invalid_rows",
    ),
    path(
        "recipient-lists/<int:list_id>/delete/",
        batch_views.recipient_list_delete,
        name="recipient_list_delete",
    ),
    path("batches/", batch_views.batch_tasks, name="batches"),
    path("batches/new/", batch_views.batch_create, name="batch_create"),
    path("batches/<int:task_id>/", batch_views.batch_detail, name="batch"),
    *(
        path(
            f"batches/<int:task_id>/{action}/",
            batch_views.batch_action,
            {"action": action},
            name=f"batch_{action}",
        )
        for action in ("pause", "resume", "cancel", "stop")
    ),
    path("queue/", batch_views.queue, name="queue"),
    # Event webhooks: every member views; owners change.
    path("webhooks/", webhook_views.endpoints, name="webhooks"),
    path("webhooks/new/", webhook_views.endpoint_add, name="webhook_add"),
    path("webhooks/<int:endpoint_id>/", webhook_views.endpoint_detail, name="webhook"),
    path(
        "webhooks/<int:endpoint_id>/edit/",
        webhook_views.endpoint_edit,
        name="webhook_edit",
    ),
    path(
        "webhooks/<int:endpoint_id>/toggle/",
        webhook_views.endpoint_toggle,
        name="webhook_toggle",
    ),
    path(
        "webhooks/<int:endpoint_id>/delete/",
        webhook_views.endpoint_delete,
        name="webhook_delete",
    ),
    path(
        "webhooks/<int:endpoint_id>/test/",
        webhook_views.endpoint_test,
        name="webhook_test",
    ),
]
