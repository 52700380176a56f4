"""The shipped example policies (`<id>/<version>.toml`), read from the installed package.

This is the I/O edge of the rules core: it opens the packaged files and hands their text
to `ofelia.rules.policy.parse_policy`. Parsed versions are cached per process: the files
are part of the release and never change while it runs.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import Policy, parse_policy, version_in_force, version_named

_NOT_POLICIES = frozenset({"legal"})


@cache
def shipped_policy_ids() -> tuple[str, ...]:
    root = resources.files(__name__)
    return tuple(sorted(
        entry.name for entry in root.iterdir()
        if entry.is_dir() and entry.name not in _NOT_POLICIES and not entry.name.startswith("_")
        and any(f.name.endswith(".toml") for f in entry.iterdir())
    ))


@cache
def load_shipped(policy_id: str) -> tuple[Policy, ...]:
    """Every shipped version of `policy_id`, oldest first; PolicyError if there is none."""
    if policy_id not in shipped_policy_ids():
        known = ", ".join(shipped_policy_ids())
        raise PolicyError(f"Politique inconnue : « {policy_id} » (politiques livrées : {known}).")
    folder = resources.files(__name__).joinpath(policy_id)
    versions = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            policy = parse_policy(entry.read_text(encoding="utf-8"))
            if policy.id != policy_id or f"{policy.version}.toml" != entry.name:
                raise PolicyError(
                    f"{policy_id}/{entry.name} : l'en-tête annonce {policy.id} {policy.version}."
                )
            versions.append(policy)
    return tuple(sorted(versions, key=lambda p: p.effective_from))


def policy_in_force(policy_id: str, on: date, version: str | None = None) -> Policy:
    """The shipped version asked by name, or else the one in force on `on`."""
    versions = load_shipped(policy_id)
    return version_named(versions, version) if version else version_in_force(versions, on)
