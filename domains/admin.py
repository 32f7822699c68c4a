from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from domains import reputation_updates
from domains.models import (
    DnsRecordCheck,
    QuotaRequest,
    QuotaRequestStatus,
    ReputationChange,
    ReputationDay,
    SenderAddress,
    SenderDomain,
)


class DnsRecordCheckInline(admin.TabularInline):
    model = DnsRecordCheck
    extra = 0
    readonly_fields = ["kind", "status", "seen", "message", "checked_at"]
    can_delete = False


@admin.register(SenderDomain)
class SenderDomainAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account",
        "status",
        "reputation_level",
        "daily_limit",
        "blocked_until",
        "verified_at",
        "next_check_at",
    ]
    list_filter = ["status", "reputation_level", "dkim_key_bits"]
    search_fields = ["name", "account__name", "account__slug"]
    # Levels and limits change only by the reputation rules, an approved
    # quota request, or staff's recorded unblock (the action below).
    readonly_fields = [
        "reputation_level",
        "daily_limit",
        "approved_limit",
        "blocked_until",
        "reputation_evaluated_through",
        "dkim_selector",
        "dkim_key_bits",
        "dkim_public_key",
        "created_at",
        "verified_at",
        "last_checked_at",
        "broken_since",
    ]
    exclude = ["dkim_private_key_encrypted"]
    inlines = [DnsRecordCheckInline]
    actions = ["unblock_domains"]

    @admin.action(description="Unblock the selected domains (with a reason)")
    def unblock_domains(self, request, queryset):
        form = UnblockForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            lifted = sum(
                reputation_updates.unblock(
                    domain, by=request.user, reason=form.cleaned_data["reason"]
                )
                for domain in queryset
            )
            self.message_user(
                request, f"{lifted} domain(s) unblocked.", messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "admin/domains/unblock.html",
            {
                **self.admin_site.each_context(request),
                "title": "Unblock domains",
                "domains": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class UnblockForm(forms.Form):
    reason = forms.CharField(
        max_length=400, help_text="Recorded in the domain's reputation history."
    )


@admin.register(ReputationChange)
class ReputationChangeAdmin(admin.ModelAdmin):
    list_display = ["domain", "at", "action", "rule", "old_level", "new_level"]
    list_filter = ["action", "rule"]
    search_fields = ["domain__name"]
    readonly_fields = [f.name for f in ReputationChange._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuotaRequest)
class QuotaRequestAdmin(admin.ModelAdmin):
    list_display = ["domain", "wanted_limit", "status", "requested_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["domain__name"]
    readonly_fields = [
        "domain",
        "wanted_limit",
        "reason",
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    fields = [*readonly_fields, "decision_note"]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request) -> bool:
        return False

    def _decide(self, request, queryset, *, approve: bool) -> None:
        pending = list(queryset.filter(status=QuotaRequestStatus.PENDING))
        for quota_request in pending:
            reputation_updates.decide_quota_request(
                quota_request,
                approve=approve,
                by=request.user,
                note=quota_request.decision_note,
            )
        verb = "approved" if approve else "refused"
        self.message_user(request, f"{len(pending)} request(s) {verb}.")

    @admin.action(description="Approve: the wanted limit applies at once")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Refuse")
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(DnsRecordCheck)
class DnsRecordCheckAdmin(admin.ModelAdmin):
    list_display = ["domain", "kind", "status", "checked_at"]
    list_filter = ["kind", "status"]
    search_fields = ["domain__name"]


@admin.register(SenderAddress)
class SenderAddressAdmin(admin.ModelAdmin):
    list_display = [
        "local_part",
        "domain",
        "sender_name",
        "account",
        "unsubscribe_language",
        "smtp_password_set_at",
    ]
    list_filter = ["unsubscribe_language"]
    search_fields = ["local_part", "domain__name", "sender_name", "account__name"]


@admin.register(ReputationDay)
class ReputationDayAdmin(admin.ModelAdmin):
    list_display = ["domain", "day", "sent", "delivered", "invalid_bounces"]
    search_fields = ["domain__name"]
    readonly_fields = [f.name for f in ReputationDay._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
