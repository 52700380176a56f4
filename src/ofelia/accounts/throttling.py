"""Sign-in throttling, in the shared cache (see ofelia.core.throttle), on three counters:

- the account from one address (`LOGIN_THROTTLE_FAILURES`, 5): a guesser at one account;
- the account from anywhere (`LOGIN_THROTTLE_ACCOUNT_FAILURES`, 10): guesses spread over
  many addresses;
- the address over every account (`LOGIN_THROTTLE_ADDRESS_FAILURES`, 10): one password
  sprayed over many accounts.

Each attempt is counted before the password is checked, so that concurrent requests on
several workers cannot get more checks through than the limits; a successful sign-in gives
its attempt back. Over any limit, even the right password is refused until the window
(`LOGIN_THROTTLE_WINDOW`, 15 minutes) ends.
"""

from __future__ import annotations

from django.conf import settings

from ofelia.core import throttle


def _counters(username: str, ip: str | None) -> list[tuple[str, str, int]]:
    name, address = username.strip().lower(), ip or "-"
    return [
        ("login-pair", f"{name}|{address}", settings.LOGIN_THROTTLE_FAILURES),
        ("login-account", name, getattr(settings, "LOGIN_THROTTLE_ACCOUNT_FAILURES", 10)),
        ("login-address", address, getattr(settings, "LOGIN_THROTTLE_ADDRESS_FAILURES", 10)),
    ]


def attempt(username: str, ip: str | None) -> bool:
    """Counts a sign-in attempt; False when a limit is reached (do not check the password)."""
    window = settings.LOGIN_THROTTLE_WINDOW
    allowed = True
    for scope, ident, limit in _counters(username, ip):
        allowed = throttle.take(scope, ident, limit=limit, window=window) and allowed
    return allowed


def succeeded(username: str, ip: str | None) -> None:
    pair, *others = _counters(username, ip)
    throttle.reset(pair[0], pair[1])
    for scope, ident, _limit in others:
        throttle.give_back(scope, ident)


def is_blocked(username: str, ip: str | None) -> bool:
    return any(throttle.count(scope, ident) >= limit for scope, ident, limit in _counters(username, ip))


def clear(username: str, ip: str | None) -> None:
    for scope, ident, _limit in _counters(username, ip):
        throttle.reset(scope, ident)
