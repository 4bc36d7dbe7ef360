"""The batch RFM that the streaming segments are compared with (EVALUATION.md, Segments)."""

from __future__ import annotations

from datetime import date

from connector_agent.evaluation.segments import BatchRfm

LAST_DAY = date(2010, 1, 10).toordinal()


def test_a_cancellation_before_the_first_completed_order_still_subtracts():
    """M = net spend, cancellations subtracting whatever their order; it was dropped when the
    customer had no completed order yet. Customers who never completed one are not scored."""
    rfm = BatchRfm()
    rfm.cancelled("early", -30.0)  # negative lines, as in the UCI file
    rfm.cancelled("early", 20.0)  # positive lines: the status says cancelled, not the sign
    rfm.completed("early", "2010-01-05T10:00:00Z", 100.0)
    rfm.completed("late", "2010-01-05T10:00:00Z", 100.0)
    rfm.cancelled("late", -30.0)
    rfm.cancelled("never", -10.0)
    values = rfm.values(LAST_DAY)
    assert values == {"early": (-5, 1, 50.0), "late": (-5, 1, 70.0)}
    assert set(rfm.scores(LAST_DAY)) == {"early", "late"}


def test_recency_is_whole_utc_days_so_a_day_is_a_tie():
    """R ranked raw timestamps: two customers whose last order was on the same day got
    different R scores. R is days to the file's last date, taken in UTC."""
    rfm = BatchRfm()
    rfm.completed("morning", "2010-01-10T09:00:00Z", 10.0)
    rfm.completed("evening", "2010-01-10T18:00:00Z", 10.0)
    rfm.completed("offset", "2010-01-11T01:00:00+05:00", 10.0)  # 20:00 UTC on the 10th
    rfm.completed("d-1", "2010-01-09T12:00:00Z", 10.0)
    rfm.completed("d-2", "2010-01-08T12:00:00Z", 10.0)
    rfm.completed("d-3", "2010-01-07T12:00:00Z", 10.0)
    recency = {c: -v[0] for c, v in rfm.values(LAST_DAY).items()}
    assert recency == {"morning": 0, "evening": 0, "offset": 0, "d-1": 1, "d-2": 2, "d-3": 3}
    r_scores = {c: s[0] for c, s in rfm.scores(LAST_DAY).items()}
    assert r_scores == {"morning": 5, "evening": 5, "offset": 5, "d-1": 3, "d-2": 2, "d-3": 1}
