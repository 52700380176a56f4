"""Fixtures shared with the other apps live in ofelia.organisations.testing."""

from ofelia.organisations.testing import *  # noqa: F403
