"""The dashboard's figures drawn as charts a person reads at a glance: SVG drawn on the server
(no script, nothing the CSP must allow), the figures in a table under each, a chosen period."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from core.charts import bar_chart
from staff.roles import SUPPORT_AGENT
from tests.staff.test_dashboard import NOW

pytestmark = pytest.mark.policy("2 나")

DASHBOARD = reverse("staff_dashboard")


def test_bars_are_scaled_to_a_round_maximum():
    chart = bar_chart([("a", 3), ("b", 7), ("c", 0)], width=340, height=180)
    heights = [bar.height for bar in chart.bars]
    assert heights[2] == 0 and heights[1] == pytest.approx(2 * heights[0] * 7 / 6, rel=0.01)
    assert [value for _y, value in chart.gridlines] == [0, 5, 10]
    assert chart.total == 10
    # Bars stand on the baseline and stay inside the drawing.
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.width for bar in chart.bars)


def test_only_some_labels_are_written_under_many_bars():
    chart = bar_chart([(f"d{n}", n) for n in range(90)], labels=12)
    shown = [bar.label for bar in chart.bars if bar.show_label]
    assert 8 <= len(shown) <= 13 and shown[0] == "d0" and shown[-1] == "d89"


def test_an_empty_chart_draws_nothing_and_breaks_nothing():
    chart = bar_chart([])
    assert chart.bars == [] and chart.total == 0


def bars_of(html: str, chart_id: str) -> int:
    figure = html.split(f'aria-labelledby="{chart_id}-title"')[1].split("</figure>")[0]
    return len(re.findall(r"<rect ", figure))


def test_the_page_draws_each_figure_with_its_table(client, login_as, make_member):
    login_as(SUPPORT_AGENT)
    with time_machine.travel(NOW, tick=False):
        make_member(username="chart01")
        html = client.get(DASHBOARD).content.decode()
    assert bars_of(html, "signups") == 12 and bars_of(html, "visits") == 30
    assert bars_of(html, "by-product") == 1 and bars_of(html, "requests") == 2
    assert html.split('<div class="charts">')[1].count("<caption>") == 5
    signups = html.split('aria-labelledby="signups-title"')[1].split("</figure>")[0]
    assert '<th scope="row">2026-06</th><td>1</td>' in signups
    assert "<script" not in html.split('<div class="charts">')[1] and " style=" not in html


@pytest.mark.parametrize(
    ("query", "months", "days"),
    [
        ({"months": "6", "days": "7"}, 6, 7),
        ({"months": "24", "days": "90"}, 24, 90),
        ({"months": "5", "days": "-1"}, 12, 30),
        ({"months": "x" * 50, "days": "1e3"}, 12, 30),
    ],
)
def test_the_period_is_chosen_from_the_offered_ones(client, login_as, query, months, days):
    login_as(SUPPORT_AGENT)
    with time_machine.travel(NOW, tick=False):
        response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert bars_of(html, "signups") == months and bars_of(html, "visits") == days


def test_a_longer_period_takes_no_more_queries(client, login_as, django_assert_max_num_queries):
    login_as(SUPPORT_AGENT)
    with time_machine.travel(NOW, tick=False):
        # A past day's count is kept the first time it is asked for (accounts.VisitDay).
        client.get(DASHBOARD, {"months": "24", "days": "90"})
        with django_assert_max_num_queries(25) as short:
            client.get(DASHBOARD, {"months": "3", "days": "7"})
        with django_assert_max_num_queries(len(short.captured_queries)):
            client.get(DASHBOARD, {"months": "24", "days": "90"})
