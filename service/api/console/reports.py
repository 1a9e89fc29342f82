"""The console's report views: a district's (or the city's) monthly or yearly report as an HTML
page or a PDF download (``service.reports``), for any signed-in key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from service.api.console.render import NO_STORE, page
from service.api.deps import ClockDep, EngineDep, LangDep, ViewerPageDep
from service.auth import Principal
from service.i18n import t

# Through service.reports (it loads the report sections, then the use case): importing
# service.figures.report_data first meets service.reports half-initialised.
from service.reports import ReportData, build_report, render_html, render_pdf

router = APIRouter(include_in_schema=False)

District = Annotated[str, Query(max_length=12, pattern=r"^(\d{6}|city)$")]
Period = Annotated[str, Query(max_length=7, pattern=r"^\d{4}(-\d{2})?$")]
ReportLang = Annotated[str | None, Query(pattern=r"^(zh|en)$")]


def _refused(request: Request, staff: Principal, lang: str, message: str) -> HTMLResponse:
    return page(
        request,
        "report_error.html.j2",
        staff,
        lang,
        status=422,
        title=t("console.reports.title", lang),
        error=t("console.reports.refused", lang, reason=message),
    )


def _build(engine: EngineDep, clock: ClockDep, district: str, period: str) -> ReportData | str:
    try:
        return build_report(engine, clock, district, period)
    except ValueError as exc:  # unknown district, bad or future period: said on the page
        return str(exc)


@router.get("/staff/reports/view", response_class=HTMLResponse)
async def report_view(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    district: District,
    period: Period,
    report_lang: ReportLang = None,
) -> HTMLResponse:
    """The report as one HTML page (print it from the browser, or download the PDF)."""
    data = await run_in_threadpool(_build, engine, clock, district, period)
    if isinstance(data, str):
        return _refused(request, staff, lang, data)
    html = render_html(data, report_lang or lang)
    return HTMLResponse(html, headers={"Content-Language": report_lang or lang, **NO_STORE})


@router.get("/staff/reports/pdf", response_class=Response)
async def report_pdf(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    district: District,
    period: Period,
    report_lang: ReportLang = None,
) -> Response:
    """The report as a PDF (fonts embedded), downloaded as ``envmon-<district>-<period>-<lang>.pdf``."""
    data = await run_in_threadpool(_build, engine, clock, district, period)
    if isinstance(data, str):
        return _refused(request, staff, lang, data)
    out_lang = report_lang or lang
    pdf = await run_in_threadpool(render_pdf, data, out_lang)
    name = f"envmon-{district}-{period}-{out_lang}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


__all__ = ["router"]
