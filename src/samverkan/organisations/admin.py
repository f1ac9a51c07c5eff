from __future__ import annotations

from typing import Any

from django.contrib import admin

from samverkan.core.admin import AuditedModelAdmin
from samverkan.organisations.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    Municipality,
    Organisation,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "county", "population_2016")
    search_fields = ("code", "name", "county")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "org_number", "municipality", "is_fictional")
    list_filter = ("kind", "is_fictional")
    search_fields = ("name", "org_number", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("municipality",)

    def organisation_id_of(self, obj: Any) -> int | None:
        return int(obj.pk) if obj.pk else None


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ("organisation",)


class DocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0
    fields = ("title", "doc_type", "extension", "size", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "status", "visibility", "start_date", "end_date", "owner")
    list_filter = ("kind", "status", "visibility", "is_fictional")
    search_fields = ("title", "purpose")
    autocomplete_fields = ("owner",)
    inlines = (PartyInline, DocumentInline)

    def organisation_id_of(self, obj: Any) -> int | None:
        return int(obj.owner_id) if obj.owner_id else None
