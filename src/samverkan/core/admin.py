"""Django admin for platform staff: every change made there is audited like any other write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, URLField
from django.http import HttpRequest

from samverkan.core import audit
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent


def admin_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip=getattr(request, "client_ip", None))


class AuditedModelAdmin(admin.ModelAdmin):
    """Records `<app>.<model>.admin_saved` / `admin_deleted` in the same transaction."""

    # An address typed without a scheme means https, as in the site's own forms (and Django 6).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=admin_actor(request),
                code=f"{obj._meta.label_lower}.admin_saved",
                obj=obj,
                organisation_id=self.organisation_id_of(obj),
                data={"created": not change, "fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(
                actor=admin_actor(request),
                code=f"{obj._meta.label_lower}.admin_deleted",
                obj=obj,
                organisation_id=self.organisation_id_of(obj),
                data={"repr": str(obj)[:200]},
            )
            super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (parties, memberships) are writes too: audit each one with the parent."""
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            parent = form.instance
            for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
                audit.record(
                    actor=admin_actor(request),
                    code=f"{obj._meta.label_lower}.admin_saved",
                    obj=obj,
                    organisation_id=getattr(obj, "organisation_id", None) or self.organisation_id_of(parent),
                    data={"parent": str(parent.pk)},
                )
            for obj in formset.deleted_objects:
                audit.record(
                    actor=admin_actor(request),
                    code=f"{obj._meta.label_lower}.admin_deleted",
                    organisation_id=getattr(obj, "organisation_id", None) or self.organisation_id_of(parent),
                    data={"parent": str(parent.pk), "repr": str(obj)[:200]},
                )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def organisation_id_of(self, obj: Model) -> int | None:
        return None


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = (
        "seq",
        "occurred_at",
        "code",
        "actor_label",
        "organisation_id",
        "object_type",
        "object_id",
    )
    list_filter = ("code",)
    search_fields = ("code", "actor_label", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def audit_third_party_admins(site: admin.AdminSite = admin.site) -> None:
    """Give the admins that other packages registered before ours (groups, TOTP devices, task
    results) the same audit trail, so that no admin write escapes the log."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedModelAdmin) or model is AuditEvent:
            continue
        audited = type(f"Audited{type(model_admin).__name__}", (AuditedModelAdmin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, audited)


audit_third_party_admins()
