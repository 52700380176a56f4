from datetime import date, datetime, timedelta

from ofelia.core import clock


def test_clock_now_is_aware_in_paris():
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() in {timedelta(hours=1), timedelta(hours=2)}


def test_clock_frozen_naive_instant_is_paris_time_and_restored():
    real = clock.now()
    with clock.frozen(datetime(2026, 7, 14, 23, 30)):
        assert clock.now().isoformat() == "2026-07-14T23:30:00+02:00"
        assert clock.today() == date(2026, 7, 14)
    assert abs(clock.now() - real) < timedelta(minutes=1)


def test_clock_today_follows_paris_not_utc():
    # 23:30 UTC on 31 December is already 1 January in Paris.
    with clock.frozen(datetime(2026, 12, 31, 23, 30, tzinfo=clock.ZoneInfo("UTC"))):
        assert clock.today() == date(2027, 1, 1)
