"""Browser fixtures for the end-to-end tests of this folder."""

from clocher.core.testing.browser import browser, page  # noqa: F401
