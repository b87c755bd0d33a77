"""The printable return: the same figures as the JSON, withheld alike, laid out as an HTML page
with the funnel and the months drawn as SVG (``casework.stats.charts``) and a stylesheet for
paper, so a supervisor can print it or save it as PDF from a browser. The page loads nothing
but its own stylesheet, from this origin: it keeps to the content security policy."""

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework import renderers

from casework.stats import charts
from casework.stats.periods import period_range

EXIT_LABELS = {
    "no_further_action": "No further action",
    "prosecution_support_withdrawn": "Support for prosecution withdrawn",
    "anonymous_intelligence_only": "Anonymous intelligence only",
}
MEDIAN_LABELS = {
    "report_to_charge": "From report to charge",
    "report_to_verdict": "From report to verdict",
}


def _shown(cell: dict[str, Any]) -> str:
    return "withheld" if cell["suppressed"] else f"{cell['count']:,}"


def _title(period: str | None, start: date, end: date) -> str:
    if period and "-Q" in period and period_range(period) == (start, end):
        year, quarter = period.split("-Q")
        return f"Quarterly return: {year} quarter {quarter}"
    return "Statistics return"


def return_context(
    data: dict[str, Any], *, organisation: str, period: str | None
) -> dict[str, Any]:
    start, end = data["from"], data["to"]
    force = "shares" in data
    table = data["shares"] if force else data["opened"]
    monthly_title = "Shares started by month" if force else "Cases opened by month"
    context: dict[str, Any] = {
        "title": _title(period, start, end),
        "organisation": organisation,
        "start": start,
        "end": end,
        "prepared": timezone.localtime(),
        "threshold": data["threshold"],
        "monthly_title": monthly_title,
        "monthly_unit": "Shares" if force else "Cases",
        "monthly": [
            {
                "label": date.fromisoformat(f"{row['key']}-01").strftime("%B %Y"),
                "shown": _shown(row),
            }
            for row in table["rows"]
        ],
        "total": _shown(table["total"]),
        "monthly_chart": charts.svg_data_uri(
            charts.monthly_svg(
                table["rows"], start=start, end=end, unit="Shares" if force else "Cases"
            )
        ),
        "counted": (
            "Counts only the shares this force holds or held, from each share's own facts."
            if force
            else "Counts only cases whose client lets the charity keep records."
        ),
    }
    if not force:
        context["funnel"] = [
            {"label": charts.STAGE_LABELS[row["key"]], "shown": _shown(row)}
            for row in data["funnel"]
        ]
        context["exits"] = [
            {"label": EXIT_LABELS[row["key"]], "shown": _shown(row)} for row in data["exits"]
        ]
        context["funnel_chart"] = charts.svg_data_uri(charts.funnel_svg(data["funnel"]))
        context["medians"] = [
            {
                "label": MEDIAN_LABELS[key],
                "shown": "withheld" if median["suppressed"] else f"{median['days']:g}",
            }
            for key, median in data["median_days"].items()
        ]
    return context


class StatsHtmlRenderer(renderers.BaseRenderer):
    """The printable return (``format=html`` or ``Accept: text/html``)."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        request = (renderer_context or {})["request"]
        context = return_context(
            data,
            organisation=request.user.organisation.name,
            period=request.query_params.get("period"),
        )
        return render_to_string("stats/return.html", context).encode()
