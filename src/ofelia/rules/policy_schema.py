"""The declarative schema of policy parameters: which clause takes which parameters.

A policy file has one `[rules.<RULE-ID>]` table per clause. Besides `article` (required)
and `summary`, the table's keys are the clause's parameters. When the rule id has a
`RuleSpec` in `PARAM_SPECS`, `parse_policy` checks every parameter against it and hands
the engine typed values:

| kind      | TOML value                        | value in `Clause.params`              |
|-----------|-----------------------------------|---------------------------------------|
| `int`     | integer                           | `int`                                 |
| `decimal` | string or integer ("40.00", 40)   | `Decimal` (a TOML float is refused)   |
| `percent` | string or integer, 0 to 100       | `Decimal`                             |
| `bool`    | boolean                           | `bool`                                |
| `str`     | string                            | `str`                                 |
| `enum`    | string among `choices`            | `str`                                 |
| `date`    | TOML date or "YYYY-MM-DD"         | `datetime.date`                       |
| `list`    | array of `item` values            | `tuple` of converted items            |
| `bands`   | array of tables `{min, max, ...}` | `tuple` of `Band`                     |
| `table`   | table; `fields` when given        | read-only mapping of converted values |

Bands split an integer quantity (days, jours francs...) into consecutive ranges, both
bounds inclusive; `min` omitted means "no lower bound", `max` omitted "no upper bound".
They must leave no gap and no overlap, start at 0 or below (or have no `min`) and end
without `max`, so that every value falls in exactly one band (see `check_bands`).

`role` marks the parameters the linter reads for its warnings whatever their name:
`late_rate` (one late-interest rate component; on a list, each item is one component),
`legal_multiplier` (a multiple of the legal interest rate), `recovery_fee`,
`retraction_days`, `notice_months`. Rule ids without a spec keep their raw TOML values
(floats refused), so a family can ship its tables before its spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Kind = Literal["int", "decimal", "percent", "bool", "str", "enum", "date", "list", "bands", "table"]

Role = Literal["late_rate", "legal_multiplier", "recovery_fee", "retraction_days", "notice_months"]


@dataclass(frozen=True)
class Param:
    kind: Kind
    required: bool = True
    choices: tuple[str, ...] = ()  # enum
    item: Param | None = None  # list: the kind of each item
    fields: Mapping[str, Param] | None = None  # bands (value columns) and table
    minimum: Decimal | int | None = None  # int / decimal
    role: Role | None = None
    help: str = ""


@dataclass(frozen=True)
class RuleSpec:
    params: Mapping[str, Param] = field(default_factory=dict)
    help: str = ""


@dataclass(frozen=True)
class Band:
    """One range of a banded parameter: `low <= n <= high` (None = unbounded)."""

    low: int | None
    high: int | None
    values: Mapping[str, object]

    def contains(self, n: int) -> bool:
        return (self.low is None or n >= self.low) and (self.high is None or n <= self.high)


def band_for(bands: tuple[Band, ...], n: int) -> Band:
    """The band that contains `n` (the policy was checked: exactly one does)."""
    for band in bands:
        if band.contains(n):
            return band
    raise LookupError(f"aucune tranche ne contient {n}")


# Every rule id of RULES.md. A clause id outside this list must start with "X-" (an
# organisation's own clause, free parameters); anything else is a policy error.
KNOWN_RULE_IDS: tuple[str, ...] = (
    "CAL-1", "CAL-2", "CAL-3", "CAL-4", "CAL-5", "CAL-6",
    "RET-1", "RET-2", "RET-3", "RET-4", "RET-5", "RET-6",
    "PAY-D1", "PAY-D2", "PAY-L1", "PAY-F1", "PAY-V1",
    "PEN-1", "PEN-2", "PEN-D1", "PEN-D2", "PEN-F1", "PEN-V1", "PEN-2b",
    "CAN-D1", "CAN-D2", "CAN-F1", "CAN-F2", "CAN-F3", "CAN-V1", "CAN-L1",
    "ABD-D1", "ABD-D2", "PRV-D1", "PRV-D2", "PRV-D3", "PRV-D4", "PRV-F1", "PRV-X",
    "FUN-D1", "FUN-L1", "FUN-L2", "FUN-L3", "FUN-L4",
    "LRN-1", "LRN-2", "LRN-3", "LRN-4", "LRN-5", "LRN-6",
    "ACC-1", "ACC-2", "ACC-3", "ACC-4", "ACC-5", "ACC-6", "ACC-7", "ACC-8", "ACC-9", "ACC-10",
    "VCL-1", "VCL-2", "VCL-3", "VCL-4", "VCL-5", "VCL-6", "VCL-7", "VCL-8",
    "SUP-1", "SUP-2",
)  # fmt: skip

OWN_CLAUSE_PREFIX = "X-"


def bands(**fields: Param) -> Param:
    """A banded parameter whose bands carry these value columns."""
    return Param("bands", fields=fields)


PARAM_SPECS: dict[str, RuleSpec] = {}

# --- R1 (SUP, ACC, LRN-5)

# --- R2 (RET, PAY, PEN, CAN-D/F, ABD, PRV, FUN)

# --- R3 (LRN, VCL, CAN-V1)
