"""Project-wide pytest fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_disclosure_caches():
    """Suppression patterns are cached per process, keyed by the version's database id: ids repeat
    between tests, so each test starts without them."""
    from samverkan.statistics import disclosure_store

    disclosure_store.clear_caches()
    yield
    disclosure_store.clear_caches()


@pytest.fixture
def english():
    """Run a test's code outside requests in English (the msgids), whatever the default."""
    from django.utils import translation

    with translation.override("en"):
        yield
