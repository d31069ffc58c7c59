"""Properties of ``earliest_send`` over random instants, zones, states and send histories.

Each answer is checked against an oracle written straight from the rules' data
(no shared code with the search): never inside an applicable quiet window on
any candidate clock, never over a cap, never before the proposed instant,
equal to it whenever it was allowed, and the earliest: every instant from
proposed up to the answer is held back. It always answers (a text is never
dropped), DST change days included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.rule_files import load_rules
from isa_engine.policy.quiet_hours import earliest_send
from isa_engine.policy.recipient import Recipient
from isa_engine.policy.rules import Cap, Hours, Rules, Window
from tests.conftest import REPO

RULES = load_rules(REPO / "rules")
ZONES = [
    ZoneInfo(name)
    for name in (
        "America/New_York",
        "America/Detroit",
        "America/Indiana/Indianapolis",
        "America/Chicago",
        "America/Denver",
        "America/Boise",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Adak",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
    )
]
STATES = ["FL", "OK", "MD", "NJ", "MS", "CT", "TX", "WA", "NY", "CA", "AZ", "HI", "AK", "IL"]
# US DST changes (2:00 local) in the years drawn, so change days are drawn often
DST_DAYS = [
    datetime(y, m, d, 7, tzinfo=UTC)
    for y, m, d in [(2025, 3, 9), (2025, 11, 2), (2026, 3, 8), (2026, 11, 1), (2027, 3, 14)]
]
TINY = timedelta(microseconds=1)

instants = st.one_of(
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),  # noqa: DTZ001
    st.builds(
        lambda day, seconds: day + timedelta(seconds=seconds),
        st.sampled_from(DST_DAYS),
        st.integers(-36 * 3600, 36 * 3600),
    ),
)
zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True)
state_sets = st.frozensets(st.sampled_from(STATES), max_size=3)
# seconds before the proposed instant: clustered enough that caps often bind
history = st.lists(st.integers(0, 48 * 3600), max_size=8)


def allowed(rules: Rules, recipient: Recipient, at: datetime, sent: Sequence[datetime]) -> bool:
    """The oracle: is a text allowed at ``at``, read off the rules' data directly."""
    at = at.astimezone(UTC)
    for zone in recipient.zones:
        local = at.astimezone(zone)
        minute = local.hour * 60 + local.minute
        for w in rules.windows:
            if w.states is not None and not w.states & recipient.states:
                continue
            hours = w.week[local.weekday()]
            if hours is None or not hours.start <= minute < hours.end:
                return False
    for c in rules.caps:
        if c.states is not None and not c.states & recipient.states:
            continue
        if sum(1 for s in sent if at - c.per < s <= at) >= c.texts:
            return False
    return True


def check(
    rules: Rules,
    recipient: Recipient,
    proposed: datetime,
    sent: list[datetime],
    fractions: list[float],
) -> None:
    clearance = earliest_send(rules, recipient, proposed, sent)
    at = clearance.at
    assert at >= proposed
    assert at - proposed <= timedelta(days=9)
    assert allowed(rules, recipient, at, sent), f"{at} is not allowed"
    if allowed(rules, recipient, proposed, sent):
        assert at == proposed and not clearance.deferred
        return
    assert clearance.deferred and clearance.reasons
    # the earliest: just before it, and anywhere between, the text was held
    assert not allowed(rules, recipient, max(proposed, at - TINY), sent)
    for f in fractions:
        point = min(proposed + (at - proposed) * f, at - TINY)  # timedelta * f rounds
        assert not allowed(rules, recipient, point, sent)


@settings(max_examples=400, deadline=None)
@given(
    instants,
    zone_sets,
    state_sets,
    history,
    st.lists(st.floats(0, 1, exclude_max=True), max_size=5),
)
def test_the_shipped_rules_answer_the_earliest_allowed_instant(
    proposed: datetime,
    zones: list[ZoneInfo],
    states: frozenset[str],
    ago: list[int],
    fractions: list[float],
) -> None:
    sent = [proposed - timedelta(seconds=s) for s in ago]
    check(RULES, Recipient(tuple(zones), states), proposed, sent, fractions)


def weeks() -> st.SearchStrategy[tuple[Hours | None, ...]]:
    """Random sending hours, any start (inside the DST gap too), two hours or more."""
    day = st.one_of(
        st.none(),
        st.integers(0, 22 * 60).flatmap(
            lambda start: st.integers(start + 120, 24 * 60).map(lambda end: Hours(start, end))
        ),
    )
    return st.tuples(*[day] * 7).filter(lambda week: any(h is not None for h in week))


@settings(max_examples=400, deadline=None)
@given(
    instants,
    st.sampled_from(ZONES),
    weeks(),
    st.integers(1, 4),
    st.integers(1, 48),
    history,
    st.lists(st.floats(0, 1, exclude_max=True), max_size=5),
)
def test_any_valid_hours_and_cap_answer_the_earliest_allowed_instant(
    proposed: datetime,
    zone: ZoneInfo,
    week: tuple[Hours | None, ...],
    texts: int,
    per_hours: int,
    ago: list[int],
    fractions: list[float],
) -> None:
    rules = Rules(
        (Window("random", None, week),),
        (Cap("random", None, texts, timedelta(hours=per_hours)),),
    )
    sent = [proposed - timedelta(seconds=s) for s in ago]
    check(rules, Recipient((zone,), frozenset()), proposed, sent, fractions)
