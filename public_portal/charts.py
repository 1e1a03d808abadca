"""A small bar chart of review outcomes by year, drawn on the server as SVG geometry (no script, no CDN)."""
from dataclasses import dataclass

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 480, 180, 14, 28, 28


@dataclass(frozen=True)
class Bar:
    year: int
    passed: int
    failed: int
    x: float
    width: float
    passed_y: float
    passed_height: float
    failed_y: float
    failed_height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    maximum: int
    bars: list[Bar]


def reviews_by_year_chart(years) -> Chart | None:
    """Stacked bars (passed below, failed above) per year; None when there is nothing to draw."""
    if not years:
        return None
    maximum = max(bar.passed + bar.failed for bar in years) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / len(years)
    width = min(48.0, slot * 0.6)
    bars = []
    for index, year in enumerate(years):
        x = LEFT + index * slot + (slot - width) / 2
        passed_height = plot_height * year.passed / maximum
        failed_height = plot_height * year.failed / maximum
        baseline = HEIGHT - BOTTOM
        bars.append(Bar(year.year, year.passed, year.failed, round(x, 1), round(width, 1),
                        round(baseline - passed_height, 1), round(passed_height, 1),
                        round(baseline - passed_height - failed_height, 1), round(failed_height, 1)))
    return Chart(WIDTH, HEIGHT, HEIGHT - BOTTOM, maximum, bars)
