"""Request middleware: French-first language, client IP for the audit log, current organisation."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import audit

SESSION_ORGANISATION_KEY = "ofelia_organisation_id"
PROBLEM = "application/problem+json"


class FrenchFirstLocaleMiddleware:
    """French unless the visitor chose another language with the switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language; a French training
    organisation's pages must be French by default, so only the explicit choice counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy the left-most X-Forwarded-For is the client; only trusted
    # when the deployment says so.
    if getattr(settings, "OFELIA_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.current_ip.reset(token)


class CurrentOrganisationMiddleware:
    """Sets `request.organisation`, `request.membership` and `request.memberships`.

    A user may belong to several organisations; the one chosen with the header switcher
    is kept in the session, otherwise the first active membership is used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from ofelia.organisations.selectors import memberships_of_user

        request.organisation = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(memberships_of_user(user=user))
            chosen = request.session.get(SESSION_ORGANISATION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            if current is not None:
                request.membership = current  # type: ignore[attr-defined]
                request.organisation = current.organisation  # type: ignore[attr-defined]
        return self.get_response(request)


# Everything the pages load comes from this origin: no inline script or style, no eval,
# no plug-in, no framing. htmx runs under it (its indicator style is in ofelia.css, see
# the htmx-config meta of base.html); the Django admin too.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    # « Payer en ligne » posts here, then is redirected to Stripe Checkout (browsers apply
    # form-action to the redirect too).
    "form-action 'self' https://checkout.stripe.com",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer; `Cache-Control: no-store` on what a signed-in
    person or an API client receives (invoices, personal data), so that neither a shared
    proxy nor the browser's disk keeps it. Answers that chose their own caching keep it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "OFELIA_CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        user = getattr(request, "user", None)
        private = request.path.startswith("/api/") or (user is not None and user.is_authenticated)
        if private and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store, private"
        return response


class ApiProblemMiddleware:
    """On /api/, the answers Django gives before any API view runs — 405 (method) and 404
    (unknown address) — are French problem documents too, like every other refusal; a query
    parameter given twice is refused (422) before any view reads one of its values."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # No query parameter of the API is a list: one given twice is ambiguous (which
            # one counts?), so it is refused rather than silently keeping the last.
            repeated = next((key for key, values in request.GET.lists() if len(values) > 1), None)
            if repeated is not None:
                from .problems import problem

                return problem(422, "Paramètre répété",
                               f"Le paramètre « {repeated} » est donné plusieurs fois ; "
                               "une seule valeur est admise.", field=f"query.{repeated}")
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code in (404, 405)
                and response.headers.get("Content-Type", "") != PROBLEM):
            from .problems import problem

            if response.status_code == 405:
                answer = problem(405, "Méthode non prise en charge",
                                 f"{request.method} n'est pas admis ici ; admis : "
                                 f"{response.headers.get('Allow', '')}.")
                answer["Allow"] = response.headers.get("Allow", "")
            else:
                answer = problem(404, "Introuvable", "Aucune ressource de l'API à cette adresse.")
            return answer
        return response
