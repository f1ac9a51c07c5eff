from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction

from samverkan.core.admin import AuditedModelAdmin, admin_actor
from samverkan.statistics import services
from samverkan.statistics.models import Dataset, DatasetVersion


class VersionInline(admin.TabularInline):
    model = DatasetVersion
    fields = ("number", "format", "filename", "cell_count", "imported_at", "imported_by", "retrieved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(AuditedModelAdmin):
    """Descriptions, visibility and the threshold are editable; tables arrive only through the
    import (which checks them), and whether a dataset counts persons is fixed at its creation:
    a person-level table must be complete counts, which only the import can check."""

    list_display = ("slug", "title_sv", "source_organisation", "person_level", "is_public", "owner")
    list_filter = ("person_level", "is_public")
    search_fields = ("slug", "title_sv", "title_en", "table_id", "source_organisation")
    readonly_fields = ("slug", "person_level", "created_at")
    inlines = [VersionInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def organisation_id_of(self, obj: Any) -> int | None:
        return getattr(obj, "owner_id", None)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        """A changed threshold goes through the service, which re-protects the stored versions
        against what they already published."""
        if change and "disclosure_threshold" in form.changed_data:
            threshold = obj.disclosure_threshold
            obj.disclosure_threshold = form.initial.get("disclosure_threshold")
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                services.dataset_threshold_set(actor=admin_actor(request), dataset=obj, threshold=threshold)
                obj.disclosure_threshold = threshold
            return
        super().save_model(request, obj, form, change)
