"""`restock demand import` and `restock forecast evaluate`: demand history in, forecast accuracy out.
The forecasting libraries are slow to import, so every command here imports them only when it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, context, done, emit_json, out, progress_bar, read_text_file, user_errors

if TYPE_CHECKING:
    from restock.planning.evaluate import Evaluation, Scores


def demand_import(
    file: Annotated[str, typer.Argument(help="CSV with a header: sku,date,quantity[,warehouse,channel]")],
    as_json: JsonFlag = False,
) -> None:
    """Import daily demand from another system; a file with any bad row is refused whole."""
    from restock.planning.demand_file import parse_demand_csv
    from restock.services import demand

    ctx = context()
    text = read_text_file(file)
    with user_errors():
        summary = demand.import_demand(ctx, parse_demand_csv(text, today=ctx.clock.today()))
    done(
        f"imported {summary.rows} rows ({summary.units} units, {summary.skus} SKUs) "
        f"from {summary.first_day} to {summary.last_day}",
        as_json,
        summary.to_json(),
    )


def _score_cells(scores: Scores) -> list[str]:
    """MASE and sMAPE as printed; MASE is NaN (shown as -) when no series had a scale to divide by."""
    mase, smape = scores.mase, scores.smape
    return [f"{mase:.3f}" if mase == mase else "-", f"{smape:.1f}"]


def _accuracy_table(result: Evaluation) -> Table:
    """One row per demand class, then the overall row, each beside the seasonal-naive benchmark."""
    season = "no season" if result.season_length == 1 else f"a season of {result.season_length} points"
    title = f"forecast accuracy ({result.frequency} series, {season})"
    table = Table("class", "series", "MASE", "sMAPE %", "benchmark MASE", "benchmark sMAPE %", title=title)
    for name, scores in result.by_class.items():
        table.add_row(name, str(scores.series), *_score_cells(scores.forecast), *_score_cells(scores.benchmark))
    table.add_row(
        "overall",
        str(sum(s.series for s in result.by_class.values())),
        *_score_cells(result.overall),
        *_score_cells(result.benchmark),
        style="bold",
    )
    return table


def forecast_evaluate(
    file: Annotated[str, typer.Argument(help="CSV in long format with a header: unique_id,ds,y")],
    frequency: Annotated[
        str | None,
        typer.Option(help="daily, weekly, monthly, quarterly or yearly; told from the dates when not given."),
    ] = None,
    season_length: Annotated[
        int | None,
        typer.Option(
            help="The seasonal period, in points; the frequency's usual one when not given (7 for daily).", min=1
        ),
    ] = None,
    horizon: Annotated[int, typer.Option(help="Points held out at the end of each series and forecast.")] = 14,
    n_jobs: Annotated[int, typer.Option(help="Processes statsforecast may use.", min=1)] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Score the planner's forecasts on your series (MASE, sMAPE) beside a seasonal-naive benchmark."""
    from restock.planning.evaluate import evaluate_forecasts, read_series_csv
    from restock.planning.frequency import frequency_named

    text = read_text_file(file)
    with user_errors(), progress_bar("forecasting") as report:
        named = frequency_named(frequency) if frequency is not None else None
        frame = read_series_csv(text)
        result = evaluate_forecasts(
            frame, horizon=horizon, season_length=season_length, frequency=named, n_jobs=n_jobs, progress=report
        )
    if as_json:
        emit_json(result.to_json())
        return
    out.print(_accuracy_table(result))
