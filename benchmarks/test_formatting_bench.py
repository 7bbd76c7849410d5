"""How long the report's figures take to format: a full report formats a few hundred, an export thousands."""

import random
from decimal import Decimal

import pytest

from tracker.choices import Scale, Unit, ValueQualifier
from tracker.formatting import INTERNATIONAL, SOUTH_ASIAN, Figure, format_figure

N_FIGURES = 10_000


def sample_figures(n: int) -> list[Figure]:
    """Figures shaped like the seed data: counts, rupees in billions, SIMs in millions, percent changes."""
    rng = random.Random(2014)
    shapes = [
        (Unit.COUNT, Scale.UNITS),
        (Unit.PKR, Scale.BILLION),
        (Unit.COUNT, Scale.MILLION),
        (Unit.PERCENT_CHANGE, Scale.UNITS),
        (Unit.PERCENT, Scale.UNITS),
    ]
    figures = []
    for _ in range(n):
        unit, scale = rng.choice(shapes)
        magnitude = Decimal(rng.randint(1, 10**9)) if unit in (Unit.COUNT, Unit.PKR) else Decimal(rng.randint(-99, 99))
        figures.append(
            Figure(
                value=abs(magnitude) if unit == Unit.PERCENT else magnitude,
                unit=unit,
                scale=scale,
                qualifier=rng.choice(list(ValueQualifier)),
            )
        )
    return figures


@pytest.mark.parametrize("style", [SOUTH_ASIAN, INTERNATIONAL])
def test_format_10000_figures(benchmark, style, settings):
    settings.LANGUAGE_CODE = "en"
    figures = sample_figures(N_FIGURES)

    texts = benchmark(lambda: [format_figure(figure, style=style) for figure in figures])

    assert len(texts) == N_FIGURES
    assert all(texts)
