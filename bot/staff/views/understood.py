"""Not understood: the queue of fallback and low-confidence turns, labelling, skipping, export as NLU YAML."""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.kernel.clock import local_now
from bot.staff.app import Console
from bot.staff.training_export import export_labelled
from bot.staff.understood_queue import counts, intent_choices, label_turn, queue_page, skip_turn
from bot.staff.views.conversations import refresh

NOTICES = {
    "labelled": "已保存标注。",
    "skipped": "已跳过这句话。",
    "nothing": "没有新的标注可以导出。",
}
PROBLEMS = {
    "bad_label": (400, "请从列表里选一个意图。"),
    "missing": (404, "没有找到这句话。"),
    "exported": (409, "这句话已经导出，不能再改。"),
}


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.args.get("page") or 1), 10_000))
    except ValueError:
        return 1


def register(console: Console) -> None:
    app = console.app
    timezone = console.settings.timezone

    async def show(request: Request, page: int, status: int = 200, error: str = "", notice: str = "",
                   warning: str = "") -> response.HTTPResponse:
        rows, more = await asyncio.to_thread(queue_page, console.sessions, page, timezone)
        numbers = await asyncio.to_thread(counts, console.sessions)
        choices = await asyncio.to_thread(intent_choices)
        return console.render(request, "not_understood.html", status=status, rows=rows, more=more, page=page,
                              counts=numbers, choices=choices, error=error, notice=notice, warning=warning)

    @app.get("/not-understood")
    async def queue(request: Request) -> response.HTTPResponse:
        warning = await refresh(console)
        return await show(request, _page_number(request), notice=NOTICES.get(request.args.get("done") or "", ""),
                          warning=warning)

    @app.post("/not-understood/<event_id:int>")
    async def label(request: Request, event_id: int) -> response.HTTPResponse:
        staff, form = request.ctx.staff, request.form
        page = _page_number(request)
        if form.get("do") == "skip":
            outcome = await asyncio.to_thread(skip_turn, console.sessions, event_id, staff.id)
            action, detail, done = "skipped_turn", "", "skipped"
        else:
            chosen = (form.get("intent") or "").strip()
            outcome = await asyncio.to_thread(label_turn, console.sessions, event_id, chosen, staff.id)
            action, detail, done = "labelled_turn", chosen, "labelled"
        if outcome != "ok":
            status, message = PROBLEMS[outcome]
            return await show(request, page, status=status, error=message)
        await asyncio.to_thread(console.audit, request, action, f"turn:{event_id}", detail)
        return response.redirect(f"/not-understood?done={done}&page={page}")

    @app.post("/not-understood/export")
    async def export(request: Request) -> response.HTTPResponse:
        stamp = local_now(console.settings).strftime("%Y-%m-%d %H:%M")
        made = await asyncio.to_thread(export_labelled, console.sessions, stamp)
        if made is None:
            return response.redirect("/not-understood?done=nothing")
        await asyncio.to_thread(console.audit, request, "exported_training_data", "not_understood_turns",
                                f"{made.rows} rows: {made.examples} examples, {made.new_topics} new topics")
        return response.raw(made.body.encode("utf-8"), content_type="text/yaml; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})
