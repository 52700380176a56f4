"""Template filters of the session pages."""

from __future__ import annotations

from django import template

from ofelia.catalogue.models import TrainingSession
from ofelia.core import clock

from ..services.convocations import convocations_closed as _closed

register = template.Library()


@register.filter
def convocations_closed(session: TrainingSession) -> str:
    """`{% if session|convocations_closed %}`: why the convocation button is disabled."""
    return _closed(session, today=clock.today())
