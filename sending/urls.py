from django.urls import path

from sesconsole.views import not_built

app_name = "sending"

urlpatterns = [
    path(
        "send/",
        not_built,
        {
            "area": "Send email",
            "summary": "Send an approved template to up to 20 recipients.",
        },
        name="send",
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
    path(
        "messages/",
        not_built,
        {
            "area": "Message log",
            "summary": "Find any message by MessageId, recipient, date or status.",
        },
        name="messages",
    ),
    path(
        "suppression/",
        not_built,
        {
            "area": "Suppression list",
            "summary": "Addresses that are never sent to: hard bounces, "
            "complaints, unsubscribes and your own entries.",
        },
        name="suppression",
    ),
]
