"""Render a kind's template (the organisation's, else the default) with a context."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError

from .kinds import Kind

# Plain text: no HTML escaping, no loaders, only the built-in tags and filters.
ENGINE = Engine(autoescape=False, loaders=[])


def organisation_context(organisation: Any) -> dict[str, str]:
    return {"organisation": organisation.display_name or organisation.legal_name,
            "organisation_phone": organisation.phone or "",
            "organisation_email": organisation.email or ""}


def render_text(source: str, context: dict[str, Any], *, label: str) -> str:
    try:
        return ENGINE.from_string(source).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ValidationError(f"{label} : modèle invalide ({exc}).") from None


def template_for(organisation: Any, kind: Kind) -> tuple[str, str]:
    from .models import MailTemplate

    own = MailTemplate.objects.for_organisation(organisation).filter(kind=kind.code).first()
    return (own.subject, own.body) if own is not None else (kind.subject, kind.body)


def render(kind: Kind, *, subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    subject = " ".join(render_text(subject, context, label="Objet").split())
    return subject, render_text(body, context, label="Texte").strip() + "\n"
