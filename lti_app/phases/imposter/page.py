"""The Imposter's page for an open attempt: the incident and the team, the commit graph (drawn by the page's
script from the graph API; a plain list of commits without JavaScript, filtered by author with ``?author=``), a
commit's diff (diff2html), the terminal over the team's repository with the workspace editor, the clock and the
report with Finish. Only the domain's student view, graph and diffs reach it, never the answer."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from grader.phases.imposter import graph, student_view
from lti_app.errors import Refusal
from lti_app.models import Attempt
from lti_app.phases.imposter.records import explored_of, record_filter, stored_fields
from lti_app.phases.imposter.views import author_label, current_workspace
from lti_app.security import csrf_token
from lti_app.workbench.clock import clock_view
from lti_app.workbench.terminal import terminal_view


def short_date(iso_date: str) -> str:
    """"2024-04-11T08:31:52+01:00" -> "2024-04-11 08:31 +01:00" (the author's own clock, as git shows it)."""
    return f"{iso_date[:10]} {iso_date[11:16]} {iso_date[19:] or 'UTC'}".strip()


def page_html(ctx: Any, attempt: Attempt, *, report_errors: dict[str, str] | None = None,
              report_values: dict[str, str] | None = None, report_error: str = "") -> str:
    state = attempt.state
    view = student_view(state)
    workspace = current_workspace(attempt)
    drawn = graph(state, workspace)
    # Without JavaScript the list is filtered by ?author= (recorded like the script's filter).
    author_email, author_name = "", "everyone"
    wanted = request.args.get("author", "")
    if isinstance(wanted, str) and wanted.strip() and len(wanted) <= 320:
        try:
            author_email, author_name = author_label(attempt, wanted)
            record_filter(attempt.id, author_name)
        except Refusal:
            author_email, author_name = "", "everyone"
    commits = [c for c in drawn["commits"] if not author_email or c["email"] == author_email]
    values = report_values if report_values is not None else \
        (stored_fields(state, "report_draft") or stored_fields(state, "report") or {})
    saved = state.get("report") if isinstance(state.get("report"), dict) else None
    return render_template(
        "imposter/page.html",
        ctx=ctx,
        attempt=attempt,
        view=view,
        graph=drawn,
        commits=commits,
        author_email=author_email,
        author_name=author_name,
        short_date=short_date,
        opened=len(explored_of(state)["opened"]),
        report_values=values,
        report_errors=report_errors or {},
        report_error=report_error,
        report_saved_at=saved.get("saved_at") if saved else None,
        just_saved=request.args.get("saved") == "1" and not report_errors,
        csrf=csrf_token(ctx.launch_id),
        terminal=terminal_view(ctx, attempt),
        clock=clock_view(ctx.launch_id, attempt),
        report_url=url_for("student.report", launch_id=ctx.launch_id),
        urls={
            "graph": url_for("imposter.graph_route", launch_id=ctx.launch_id),
            "commit": url_for("imposter.commit_route", launch_id=ctx.launch_id, sha="SHA"),
            "commit_page": url_for("imposter.commit_page", launch_id=ctx.launch_id, sha="SHA"),
            "filter": url_for("imposter.filter_route", launch_id=ctx.launch_id),
            "draft": url_for("imposter.save_draft", launch_id=ctx.launch_id),
            "report_api": url_for("imposter.save_report_route", launch_id=ctx.launch_id),
            "report_form": url_for("imposter.save_report_form", launch_id=ctx.launch_id),
            "finish": url_for("imposter.finish", launch_id=ctx.launch_id),
            "page": url_for("student.activity", launch_id=ctx.launch_id),
        },
    )
