"""Fixtures for the service tests: a recording client and the OpenAPI schema checker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cio import CustomerIOClient
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas, load_schemas


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def client(transport: RecordingTransport) -> Iterator[CustomerIOClient]:
    with CustomerIOClient(api_key="test-key", transport=transport) as cio_client:
        yield cio_client


@pytest.fixture(scope="session")
def openapi() -> OpenAPISchemas:
    schemas = load_schemas()
    if schemas is None:
        pytest.skip(
            "OpenAPI document not found: set CIO_OPENAPI_SPEC or place "
            "cio_pipelines_api.json in ../shared/ next to the repository"
        )
    return schemas
