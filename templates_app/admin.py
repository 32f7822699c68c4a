from django.contrib import admin
from django.http import HttpRequest

from templates_app.models import EmailTemplate, TemplateVersion


class VersionInline(admin.TabularInline):
    model = TemplateVersion
    fk_name = "template"
    extra = 0
    fields = [
        "number",
        "status",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reason",
    ]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """Staff see and delete templates; content changes go through review."""

    list_display = [
        "name",
        "account",
        "kind",
        "status",
        "approved_version",
        "updated_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["name", "summary", "account__name", "account__slug"]
    list_select_related = ["account", "approved_version"]
    readonly_fields = [
        "account",
        "kind",
        "status",
        "current_version",
        "approved_version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = ["name", "summary", *readonly_fields]
    inlines = [VersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    """Versions are read-only here: review with `manage.py review_template`."""

    list_display = [
        "template",
        "number",
        "account",
        "status",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    list_filter = ["status", "text_generated"]
    search_fields = ["template__name", "account__name", "submitted_by__email"]
    list_select_related = ["template", "account", "submitted_by", "reviewed_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
