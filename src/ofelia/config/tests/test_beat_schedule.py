"""Issue 14 item 6: Celery beat schedules every daily job, and each name is a real task."""

from django.conf import settings

from ofelia.config.celery import app


def test_beat_schedules_settlement_collections_letters_and_instalments():
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= {
        "ofelia.billing.tasks.settlement_daily",
        "ofelia.billing.tasks.collections_daily",  # late interest, fees, reminders, notices
        "ofelia.billing.tasks.dunning_letters",
        "ofelia.billing.tasks.instalments_daily",
    }
    assert scheduled <= set(app.tasks)
