"""Fixtures shared by every test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spec_validation import validate_request
from tracksync.testing import set_testing


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Let retries and rate limits run without waiting, as users' test suites can."""
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(autouse=True)
def _validate_mocked_requests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Check every request a test sent through pytest-httpx against the providers' specs.

    Tests that send a deliberately invalid request mark themselves
    ``@pytest.mark.no_spec_check``.
    """
    # Requested before the test runs, so that httpx_mock is torn down after this check.
    httpx_mock = None
    if "httpx_mock" in request.fixturenames:
        httpx_mock = request.getfixturevalue("httpx_mock")
    yield
    if httpx_mock is None or request.node.get_closest_marker("no_spec_check"):
        return
    for sent in httpx_mock.get_requests():
        validate_request(sent)


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio only (anyio's pytest plugin comes with httpx)."""
    return "asyncio"
