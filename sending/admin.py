from django.contrib import admin
from django.http import HttpRequest

from sending.models import (
    AttachmentSet,
    BatchTask,
    DailyUsage,
    InboundMail,
    Message,
    MessageEvent,
    Recipient,
    RecipientList,
    SubmittedContent,
    Suppression,
    WebhookDelivery,
    WebhookEndpoint,
)


class MessageEventInline(admin.TabularInline):
    model = MessageEvent
    extra = 0
    readonly_fields = ["kind", "at", "detail"]
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "message_id",
        "recipient",
        "from_email",
        "account",
        "status",
        "bounce_type",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "bounce_type", "source"]
    search_fields = ["message_id", "request_id", "recipient", "from_email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["domain", "sender", "template_version", "account"]
    readonly_fields = ["transcript", "raw_message"]
    inlines = [MessageEventInline]


@admin.register(MessageEvent)
class MessageEventAdmin(admin.ModelAdmin):
    list_display = ["message", "kind", "at"]
    list_filter = ["kind"]
    search_fields = ["message__message_id", "message__recipient"]
    raw_id_fields = ["message"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = [
        "address",
        "account",
        "reason",
        "sender",
        "expires_at",
        "created_at",
    ]
    list_filter = ["reason"]
    search_fields = ["address", "account__name"]
    raw_id_fields = ["sender"]


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ["domain", "day", "reserved"]
    list_filter = ["day"]
    search_fields = ["domain__name"]


@admin.register(SubmittedContent)
class SubmittedContentAdmin(admin.ModelAdmin):
    list_display = ["pk", "account", "size", "created_at"]
    search_fields = ["account__name"]
    exclude = ["data"]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["pk", "mail_from", "peer", "received_at", "processed_at", "outcome"]
    list_filter = ["processed_at"]
    search_fields = ["mail_from", "outcome"]
    exclude = ["data"]


@admin.register(AttachmentSet)
class AttachmentSetAdmin(admin.ModelAdmin):
    list_display = ["pk", "account", "size", "created_at"]
    search_fields = ["account__name"]
    exclude = ["files"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "account", "enabled", "cursor", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "account__name"]
    raw_id_fields = ["account"]
    # The signing key is not for staff eyes; it is encrypted anyway.
    exclude = ["secret_encrypted"]
    readonly_fields = ["cursor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Owners add endpoints in the console, which makes their secret.
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    search_fields = ["endpoint__url"]
    raw_id_fields = ["endpoint", "event"]
    readonly_fields = ["last_response"]


@admin.register(RecipientList)
class RecipientListAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "status", "valid_count", "total_rows"]
    list_filter = ["status"]
    search_fields = ["name", "account__name"]
    readonly_fields = [
        "status",
        "columns",
        "total_rows",
        "valid_count",
        "empty_count",
        "too_long_count",
        "duplicate_count",
        "invalid_count",
        "error",
    ]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["email", "recipient_list", "valid", "reason", "line"]
    list_filter = ["valid"]
    search_fields = ["email"]
    raw_id_fields = ["recipient_list"]
    # Lists hold up to a million rows: never count them for the change list.
    show_full_result_count = False


@admin.register(BatchTask)
class BatchTaskAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "account",
        "recipient_list",
        "task_type",
        "status",
        "requested",
        "sent",
        "cached",
        "created_at",
    ]
    list_filter = ["status", "task_type"]
    search_fields = ["account__name", "recipient_list__name"]
    raw_id_fields = ["recipient_list", "sender", "template", "template_version"]
    readonly_fields = [
        "status",
        "cursor",
        "run_total",
        "run_done",
        "requested",
        "sent",
        "cached",
        "runs",
    ]
