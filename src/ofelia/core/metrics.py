"""`/metrics` for Prometheus (django-prometheus counters and histograms), behind a bearer
token read from the environment (`OFELIA_METRICS_TOKEN`). Without a token configured the
address does not exist (404); a missing or wrong token gets 401, in constant time."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    expected = getattr(settings, "OFELIA_METRICS_TOKEN", "") or ""
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        response = HttpResponse("Jeton d'accès aux métriques requis.\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
