"""The I/O edge of the legal data: reads the packaged CSV tables (`legal/*.csv`) and, when
the environment names one, an administrator's override directory, and hands their text
to `ofelia.rules.legal.parse_legal_data`.

`OFELIA_LEGAL_DATA_DIR` may hold any of the same file names; its rows extend the shipped
tables or replace the shipped row with the same key, so that a new half-year rate is in
use without a release (see legal/README.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from ofelia.rules.legal import LegalData, parse_legal_data

ENV_OVERRIDE_DIR = "OFELIA_LEGAL_DATA_DIR"
TABLES = {
    "legal_interest_rates": "legal_interest_rates.csv",
    "ecb_rates": "ecb_rates.csv",
    "amounts": "amounts.csv",
    "coverage": "coverage.csv",
}


def _shipped(file_name: str) -> str:
    return resources.files("ofelia.policies").joinpath("legal", file_name).read_text("utf-8")


def read_legal_data(override_dir: Path | None,
                    more: Mapping[str, Sequence[str]] | None = None) -> LegalData:
    """Shipped tables first, then the override directory's files of the same name, then
    `more` CSV texts per table (the rows an operator entered in the web app)."""
    texts: dict[str, list[str]] = {}
    for key, file_name in TABLES.items():
        texts[key] = [_shipped(file_name)]
        if override_dir is not None:
            extra = override_dir / file_name
            if extra.is_file():
                texts[key].append(extra.read_text(encoding="utf-8"))
        texts[key].extend((more or {}).get(key, ()))
    return parse_legal_data(
        legal_interest_rates=texts["legal_interest_rates"],
        ecb_rates=texts["ecb_rates"],
        amounts=texts["amounts"],
        coverage=texts["coverage"],
    )


def override_dir_from_env() -> Path | None:
    value = os.environ.get(ENV_OVERRIDE_DIR, "").strip()
    return Path(value) if value else None


@cache
def _load(override_dir: Path | None) -> LegalData:
    return read_legal_data(override_dir)


def load_legal_data() -> LegalData:
    """The legal data in force for this process (cached per override directory)."""
    return _load(override_dir_from_env())


def reload_legal_data() -> LegalData:
    """Forget the cached tables (after an administrator edited the override files)."""
    _load.cache_clear()
    return load_legal_data()
