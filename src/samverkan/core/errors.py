"""Domain errors raised by services and selectors; views and the API translate them."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """Base class of every error a service raises on purpose."""


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does (same answer)."""


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it."""


class ValidationError(DomainError):
    """Input refused. ``errors`` maps a field name ("__all__" for the whole) to messages."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "__all__") -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    @classmethod
    def from_django(cls, exc: Exception) -> ValidationError:
        """Convert Django's ValidationError (from model/field validators)."""
        from django.core.exceptions import ValidationError as DjangoValidationError

        assert isinstance(exc, DjangoValidationError)
        if hasattr(exc, "error_dict"):
            return cls({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
        return cls({"__all__": [str(m) for m in exc.messages]})


class RateLimited(DomainError):
    """Too many requests of this kind from this client for now; try again after ``retry_after``
    seconds. Pages answer 429 with a Retry-After header (``core.middleware``) and show ``advice``,
    a translated sentence on what the person can do; the API answers 429 as well."""

    def __init__(self, retry_after: int, advice: str | Promise = "") -> None:
        self.retry_after = retry_after
        self.advice = advice
        super().__init__(f"rate limited; retry after {retry_after} s")
