from ofelia.organisations.testing import *  # noqa: F403
