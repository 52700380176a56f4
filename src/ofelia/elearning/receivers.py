"""Reactions of e-learning to the apps below it: a merge of two learners keeps their courses.

Without these, a merge would lose a course silently: `LearnerCourse` cascades from its learner
and its enrolment, and the merge deletes the merged learner (and, when both were enrolled in
the same session, the merged enrolment).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from ofelia.organisations.models import Learner

from .contact import conversations_combine
from .models import LearnerCourse


def on_enrolments_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> None:
    """A course followed under the merged enrolment is followed under the kept one."""
    LearnerCourse.objects.filter(enrolment=merged).update(enrolment=kept)


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """The merged learner's courses follow the kept learner. Where both followed the same
    course, the more advanced follow-up is kept (more modules completed, then the earlier
    first access): one person cannot hold two progressions of one course."""
    if sender is not Learner:
        return {}
    moved = combined = 0
    # The merge holds both learners' rows locked: nobody else starts a course for them meanwhile.
    both = LearnerCourse.objects.filter(learner__in=[kept, merged]).annotate(
        done=Count("completions", distinct=True))
    by_course: dict[int, list[LearnerCourse]] = {}
    for follow_up in both:
        by_course.setdefault(follow_up.course_id, []).append(follow_up)
    for follow_ups in by_course.values():
        if len(follow_ups) == 1:
            (only,) = follow_ups
            if only.learner_id == merged.pk:
                only.learner = kept
                only.save(update_fields=["learner", "updated_at"])
                moved += 1
            continue
        follow_ups.sort(key=lambda f: (-f.done, f.first_access_at is None, f.first_access_at, f.pk))
        best, other = follow_ups
        conversations_combine(kept=best, other=other)  # the messages with the trainer stay
        other.delete()
        if best.learner_id != kept.pk:
            best.learner = kept
            best.save(update_fields=["learner", "updated_at"])
        combined += 1
    return {"courses_moved": moved, "courses_combined": combined}
