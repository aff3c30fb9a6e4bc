"""Numbers: the last 30 days as small bar charts (meal portions, home visits, turns not understood), and how
fast alerts were answered per week against the TSA reference figures."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.kernel.clock import local_today
from bot.staff.alert_stats import TSA_60S, TSA_180S, seconds_text, share_text, weekly
from bot.staff.app import Console
from bot.staff.charts import bar_chart, share_chart
from bot.staff.stats import daily

DAYS = 30
WEEKS = 12
POOR_UNDERSTANDING = 0.2  # a day when more than a fifth of the turns were not understood is drawn red


def _page(console: Console) -> dict:
    with console.sessions() as session:
        rows = daily(session, console.settings, local_today(console.settings), DAYS)
        weeks = weekly(session, console.settings, local_today(console.settings), WEEKS)
    days = [row.day for row in rows]
    charts = [
        bar_chart("每天订餐份数（不含已取消）", days, [row.portions for row in rows], lambda v: f"{v:.0f}份"),
        bar_chart("每天上门服务次数（不含已取消）", days, [row.visits for row in rows], lambda v: f"{v:.0f}次"),
        bar_chart("每天没听懂的话占比", days, [row.share for row in rows], lambda v: f"{v:.0%}",
                  bad_above=POOR_UNDERSTANDING),
    ]
    totals = dict(portions=sum(r.portions for r in rows), visits=sum(r.visits for r in rows),
                  turns=sum(r.turns for r in rows), not_understood=sum(r.not_understood for r in rows))
    labels = [week.label for week in weeks]
    alert_charts = [
        share_chart("每周60秒内确认的求助占比", labels, [w.share_60s for w in weeks], TSA_60S, "TSA 97.5%"),
        share_chart("每周3分钟内确认的求助占比", labels, [w.share_180s for w in weeks], TSA_180S, "TSA 99%"),
    ]
    return dict(rows=rows, charts=charts, totals=totals, first=days[0], last=days[-1], alert_weeks=weeks,
                alert_charts=alert_charts, seconds_text=seconds_text, share_text=share_text,
                tsa=dict(within_60s=share_text(TSA_60S), within_180s=share_text(TSA_180S)))


def register(console: Console) -> None:
    @console.app.get("/numbers")
    async def numbers_page(request: Request) -> response.HTTPResponse:
        return console.render(request, "numbers.html", **await asyncio.to_thread(_page, console))
