"""Form helpers: GOV.UK Frontend classes and accessible error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms

from samverkan.core.errors import ValidationError

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


class StyledFormMixin:
    """Adds design-system classes, and aria-describedby pointing at the hint and error text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            css = next((c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                bound = self[name]  # type: ignore[index]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                error_class = {
                    "govuk-select": "govuk-select--error",
                    "govuk-textarea": "govuk-textarea--error",
                    "govuk-file-upload": "govuk-file-upload--error",
                }.get(widget.attrs.get("class", "").split(" ")[0], "govuk-input--error")
                if error_class not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " " + error_class
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:  # type: ignore[attr-defined]
                    described.insert(0, f"{bound.auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)

    def add_domain_errors(self, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
        """Show a service's ValidationError on the form: each message beside its own field."""
        field_map = field_map or {}
        for key, messages in exc.errors.items():
            name = field_map.get(key, key)
            target = name if name in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(target, message)  # type: ignore[attr-defined]
