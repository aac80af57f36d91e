"""Screens drawn by the simulator: positive at the configured rate, and scored by the server
exactly as the simulator expects."""

from __future__ import annotations

import pytest

from services.screening.domain.scoring import score
from tools.sim.answers import PROFILES, draw_screen
from tools.sim.rng import stream

DRAWS = 4000


@pytest.mark.parametrize("setting", sorted(PROFILES))
def test_positivity_and_urgency_hit_the_setting_rates(setting: str) -> None:
    rng = stream(7, "answers", setting)
    drawn = [draw_screen(rng, setting) for _ in range(DRAWS)]
    positive = sum(d.positive for d in drawn) / DRAWS
    urgent = sum(d.urgent for d in drawn) / DRAWS
    profile = PROFILES[setting]
    assert positive == pytest.approx(profile.positive_share, abs=0.02)
    assert urgent == pytest.approx(profile.urgent_share, abs=0.01)
    assert 0.13 - 0.02 <= positive <= 0.20 + 0.02


@pytest.mark.parametrize("setting", sorted(PROFILES))
def test_the_server_scores_every_draw_as_intended(setting: str) -> None:
    rng = stream(11, "server", setting)
    for _ in range(1000):
        drawn = draw_screen(rng, setting)
        result = score(drawn.instrument, drawn.answers)
        assert (result.positive, result.urgent) == (drawn.positive, drawn.urgent), drawn


def test_overall_positivity_is_in_the_perinatal_range() -> None:
    rng = stream(3, "overall")
    settings = ["ob", "ob", "pediatric", "hospital", "iop_php"]
    drawn = [draw_screen(rng, settings[i % len(settings)]) for i in range(DRAWS)]
    share = sum(d.positive for d in drawn) / DRAWS
    assert 0.13 <= share <= 0.20


def test_same_seed_same_answers() -> None:
    first = [draw_screen(stream(5, "p", n), "ob") for n in range(50)]
    again = [draw_screen(stream(5, "p", n), "ob") for n in range(50)]
    other = [draw_screen(stream(6, "p", n), "ob") for n in range(50)]
    assert first == again
    assert first != other


def test_epds_reverse_items_are_sent_as_printed_positions() -> None:
    """A negative EPDS with all-zero scores is answered with the *last* option on the reverse
    items (position 3 = score 0), as a patient ticking "never" would."""
    rng = stream(1, "reverse")
    drawn = (draw_screen(rng, "hospital") for _ in range(2000))
    lows = [d for d in drawn if score(d.instrument, d.answers).total == 0]
    assert lows, "some all-zero EPDS screens are drawn"
    assert lows[0].answers == [0, 0, 3, 0, 3, 3, 3, 3, 3, 3]
