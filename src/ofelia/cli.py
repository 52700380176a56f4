"""The `ofelia` command.

Commands that only need the pure rules core (`simulate`, `policy`) are dispatched
without importing Django, so that they start fast; everything else is a Django
management command (`ofelia migrate`, `ofelia demo`, `ofelia runserver`, ...).
"""

from __future__ import annotations

import importlib
import os
import sys

# name -> "module:function"; each function takes the remaining argv and returns an exit code.
FAST_COMMANDS = {
    "simulate": "ofelia.simcli:simulate_main",
    "policy": "ofelia.simcli:policy_main",
}

# Our own commands read better hyphenated (`ofelia bench-data`); Django names them with underscores.
HYPHENATED_COMMANDS = {"bench-data": "bench_data", "demo-invoice": "demo_invoice"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in FAST_COMMANDS:
        module_name, func_name = FAST_COMMANDS[args[0]].split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        return int(func(args[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ofelia.config.settings.local")
    if args and args[0] in HYPHENATED_COMMANDS:
        args[0] = HYPHENATED_COMMANDS[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ofelia", *args])
    return 0
