"""`ofelia openapi`: print the OpenAPI document of /api/v1 (JSON) for integrators."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Affiche le document OpenAPI (JSON) de l'API /api/v1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        from ofelia.api import api

        schema = api.get_openapi_schema(path_prefix="/api/v1")
        self.stdout.write(json.dumps(schema, ensure_ascii=False, indent=options["indent"] or None))
