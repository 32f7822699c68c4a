from django.contrib import admin

from domains.models import DnsRecordCheck, SenderAddress, SenderDomain


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
    readonly_fields = [
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
