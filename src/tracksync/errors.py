"""Exceptions raised by tracksync.

The tree::

    TracksyncError
    ├── InvalidInputError        an order, shipment or input row is invalid (also a ValueError)
    ├── ConfigurationError       credentials or options are missing or invalid
    └── ProviderError            a payment provider could not complete a request
        ├── ProviderConnectionError   no answer: connection failed or timed out
        ├── AccountError              the account's credentials or permissions are wrong
        ├── PayPalError               PayPal answered with an error body
        └── StripeError               Stripe answered with an error body

Every provider error carries the provider name, the HTTP status (when there was an answer),
the provider's error code and its request id, and shows all of them in ``str()`` so that a
log line is enough to open a ticket with the provider.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "AccountError",
    "ConfigurationError",
    "InvalidInputError",
    "PayPalError",
    "PayPalErrorDetail",
    "ProviderConnectionError",
    "ProviderError",
    "StripeError",
    "TracksyncError",
]


class TracksyncError(Exception):
    """Base class of every exception that tracksync raises on purpose."""


class InvalidInputError(TracksyncError, ValueError):
    """An order, shipment or input row holds a value that tracksync cannot send."""


class ConfigurationError(TracksyncError):
    """Credentials or options are missing or invalid."""


class ProviderError(TracksyncError):
    """A payment provider could not complete a request.

    Attributes:
        provider: ``"paypal"`` or ``"stripe"`` (or a third-party provider's name).
        status: HTTP status of the answer, or None when no answer arrived.
        code: the provider's machine-readable error code, when it sent one.
        request_id: the provider's id for the request (PayPal ``debug_id``, Stripe
            ``Request-Id``), to quote to the provider's support.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.code = code
        self.request_id = request_id

    def _facts(self) -> list[str]:
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.code:
            facts.append(f"code {self.code}")
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        return facts

    def __str__(self) -> str:
        facts = self._facts()
        suffix = f" ({', '.join(facts)})" if facts else ""
        return f"{self.provider}: {self.message}{suffix}"


class ProviderConnectionError(ProviderError):
    """The request got no answer: the connection failed, broke or timed out.

    Whether the provider acted on a write that got no answer is unknown.
    """


class AccountError(ProviderError):
    """The provider rejected the account's credentials or their permissions.

    Every further request for that account would fail the same way, so a provider stops
    calling the account for the rest of the run once it raises this. ``cause`` holds the
    provider's own error, and the message names the permission or scope needed.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        account: str | None = None,
        cause: ProviderError | None = None,
    ) -> None:
        super().__init__(
            message,
            provider=provider,
            status=cause.status if cause else None,
            code=cause.code if cause else None,
            request_id=cause.request_id if cause else None,
        )
        self.account = account
        self.cause = cause


@attrs.frozen(kw_only=True)
class PayPalErrorDetail:
    """One entry of a PayPal error's ``details`` array."""

    issue: str
    field: str | None = None
    value: str | None = None
    location: str | None = None
    description: str | None = None

    def __str__(self) -> str:
        text = self.issue
        if self.field:
            text += f" at {self.field}"
        if self.description:
            text += f": {self.description}"
        return text


class PayPalError(ProviderError):
    """PayPal answered with an error body.

    ``code`` holds the first ``details[].issue`` when there is one, otherwise the error
    ``name``; ``request_id`` holds PayPal's ``debug_id``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        name: str | None = None,
        details: Sequence[PayPalErrorDetail] = (),
        debug_id: str | None = None,
    ) -> None:
        issues = [detail.issue for detail in details]
        super().__init__(
            message,
            provider="paypal",
            status=status,
            code=issues[0] if issues else name,
            request_id=debug_id,
        )
        self.name = name
        self.details = tuple(details)
        self.debug_id = debug_id

    @property
    def issues(self) -> tuple[str, ...]:
        """The ``issue`` code of every detail, in PayPal's order."""
        return tuple(detail.issue for detail in self.details)

    def __str__(self) -> str:
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.name:
            facts.append(self.name)
        facts.extend(str(detail) for detail in self.details)
        if self.debug_id:
            facts.append(f"debug_id {self.debug_id}")
        suffix = f" ({'; '.join(facts)})" if facts else ""
        return f"paypal: {self.message}{suffix}"


class StripeError(ProviderError):
    """Stripe answered with an error body.

    ``type`` is Stripe's error type (``invalid_request_error``, ``api_error``, ...),
    ``param`` the request parameter it blames, ``request_id`` the ``Request-Id`` header.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        should_retry: bool | None = None,
    ) -> None:
        super().__init__(
            message, provider="stripe", status=status, code=code, request_id=request_id
        )
        self.type = type
        self.param = param
        self.should_retry = should_retry

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again, with the same Idempotency-Key, may succeed.

        ``Stripe-Should-Retry`` decides when Stripe sent it, as in stripe-python 16.1.0;
        otherwise a 409, a 429 ``lock_timeout`` and every 5xx are retryable.
        """
        if self.should_retry is not None:
            return self.should_retry
        if self.status is None:
            return False
        if self.status == 409 or self.status >= 500:
            return True
        return self.status == 429 and self.code == "lock_timeout"

    def __str__(self) -> str:
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.type:
            facts.append(f"type {self.type}")
        if self.code:
            facts.append(f"code {self.code}")
        if self.param:
            facts.append(f"param {self.param}")
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        suffix = f" ({', '.join(facts)})" if facts else ""
        return f"stripe: {self.message}{suffix}"
