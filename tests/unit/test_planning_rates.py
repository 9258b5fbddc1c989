from _planning_fixtures import channel
from hypothesis import given
from hypothesis import strategies as st

from splitship.domain.catalog import Box, Dimensions, SkuAttributes, ZoneRate
from splitship.planning.rates import cheapest_quote, price_key, quote

ITEM = SkuAttributes(weight_g=700, dimensions=Dimensions(200, 150, 100))


def test_step_rate_charges_first_weight_then_each_started_step():
    rate = ZoneRate(first_weight_g=500, first_price=420, step_g=500, step_price=160)
    assert rate.price(1) == 420
    assert rate.price(500) == 420
    assert rate.price(501) == 580
    assert rate.price(1000) == 580
    assert rate.price(1001) == 740


def test_weight_table_rate_uses_first_bracket_that_holds_the_weight():
    rate = ZoneRate(0, 0, 1, 0, table=((1000, 600), (2000, 800)))
    assert rate.price(1000) == 600
    assert rate.price(1001) == 800
    assert rate.price(2001) is None


def test_chargeable_weight_is_rounded_up_to_the_channel_step():
    ch = channel("c", max_weight_g=None, rate=ZoneRate(500, 100, 500, 50), step_g=500)
    q = quote([(ITEM, 1)], None, ch, "US")
    assert q is not None
    assert q.chargeable_weight_g == 1000
    assert q.price == 150


def test_volumetric_weight_of_the_box_counts_when_heavier():
    box = Box("B", "B", Dimensions(400, 300, 200), Dimensions(410, 310, 210), 200, 10000)
    ch = channel("c", max_weight_g=None, rate=ZoneRate(1000, 100, 1000, 100), divisor=5000)
    q = quote([(ITEM, 1)], box, ch, "US")
    assert q is not None
    # 41 x 31 x 21 cm / 5000 = 5.3382 kg (rounded up to the gram) > 0.9 kg actual
    assert q.chargeable_weight_g == 5339
    assert q.price == 100 + 5 * 100
    no_divisor = channel("d", max_weight_g=None, rate=ZoneRate(1000, 100, 1000, 100))
    q2 = quote([(ITEM, 1)], box, no_divisor, "US")
    assert q2 is not None and q2.chargeable_weight_g == 900


def test_quote_refuses_a_parcel_over_the_channel_limit():
    ch = channel("c", max_weight_g=1000, rate=ZoneRate(500, 100, 500, 50))
    assert quote([(ITEM, 2)], None, ch, "US") is None


def test_cheapest_quote_picks_the_box_and_channel_that_cost_least():
    small = Box("S", "S", Dimensions(250, 200, 150), Dimensions(260, 210, 160), 50, 3000)
    large = Box("L", "L", Dimensions(600, 400, 400), Dimensions(610, 410, 410), 300, 20000)
    exp = channel("exp", max_weight_g=None, rate=ZoneRate(500, 500, 500, 200), divisor=5000)
    post = channel("post", max_weight_g=1000, rate=ZoneRate(500, 300, 500, 100))
    q = cheapest_quote([(ITEM, 2)], [small, large], [exp, post], "US")
    assert q is not None
    assert q.channel.id == "exp" and q.box is not None and q.box.id == "S"
    q1 = cheapest_quote([(ITEM, 1)], [small, large], [exp, post], "US")
    assert q1 is not None and q1.channel.id == "post"


def test_price_bracket_top_is_the_heaviest_weight_at_the_same_price():
    from splitship.planning.rates import INF, _bracket_top

    table = ZoneRate(0, 0, 1, 0, table=((500, 300), (1000, 300), (2000, 450)))
    top = _bracket_top(table)
    assert top is not None
    assert [top(w) for w in (1, 500, 501, 1000, 1001, 2000, 2001)] == [
        1000,
        1000,
        1000,
        1000,
        2000,
        2000,
        INF,
    ]
    assert _bracket_top(ZoneRate(0, 0, 1, 0, table=((500, 300), (1000, 200)))) is None
    step = _bracket_top(ZoneRate(500, 100, 250, 40))
    assert step is not None and [step(w) for w in (100, 500, 501, 750, 751)] == [
        500,
        500,
        750,
        750,
        1000,
    ]
    flat = _bracket_top(ZoneRate(500, 100, 250, 0))
    assert flat is not None and flat(10_000) == INF


def test_pricer_takes_the_first_option_at_the_least_price_on_any_rate():
    from splitship.planning.rates import SCALE, BinPricer, build_options

    small = Box("S", "S", Dimensions(250, 200, 150), Dimensions(260, 210, 160), 50, 3000)
    large = Box("L", "L", Dimensions(600, 400, 400), Dimensions(610, 410, 410), 300, 20000)
    for rate in (
        ZoneRate(0, 0, 1, 0, table=((1000, 500), (3000, 500), (10000, 900))),
        ZoneRate(0, 0, 1, 0, table=((1000, 700), (3000, 500), (10000, 900))),  # not monotone
    ):
        ch = channel("t", max_weight_g=None, rate=rate)
        pricer = BinPricer(build_options([(1, ch, 0)], [small, large], "US", None, {}), 0)
        for weight in (200, 900, 2500, 2800):
            cost, index = pricer.cost(weight, 1000, 2, 0, 0, 10, 10, 10, 1)
            expected = [
                (rate.price(weight + b.tare_g), b.id)
                for b in (small, large)
                if weight <= b.max_load_g
            ]
            price = min(p for p, _ in expected if p is not None)
            first = next(box for p, box in expected if p == price)
            box = pricer.option(index).box
            assert cost == price * SCALE + 1 and box is not None and box.id == first


# a field near each of the packed key's bit widths, or anywhere (negative ones too)
_field = st.one_of(
    st.integers(0, 1 << 21),
    st.integers((1 << 20) - 2, (1 << 20) + 2),
    st.integers((1 << 31) - 2, (1 << 31) + 2),
    st.integers((1 << 42) - 2, (1 << 42) + 2),
    st.integers(-3, 3),
    st.integers(-(1 << 64), 1 << 64),
)
_content = st.tuples(*[_field] * 9)


@given(_content, _content)
def test_the_price_memo_key_tells_every_two_contents_apart(
    a: tuple[int, ...], b: tuple[int, ...]
) -> None:
    assert (price_key(*a) == price_key(*b)) == (a == b)


@given(_content, st.integers(0, 8), st.sampled_from([1, -1]))
def test_the_price_memo_key_changes_with_any_one_field(
    a: tuple[int, ...], at: int, step: int
) -> None:
    b = list(a)
    b[at] += step
    assert price_key(*a) != price_key(*b)


def test_typical_contents_get_the_short_key_and_others_every_field() -> None:
    assert len(price_key(1200, 3_000_000, 4, 5000, 1, 300, 200, 100, 7)) == 4
    assert price_key(1 << 20, 0, 0, 0, 0, 0, 0, 0, 0) == (1 << 20, 0, 0, 0, 0, 0, 0, 0, 0)
    assert len(price_key(1200, 3_000_000, 4, 5000, 1, 300, 200, 100, -1)) == 9
