"""The `restock` command line: a thin layer that parses, calls one use case, and prints a table or JSON.

Each module of this package holds one group of commands as plain functions; this file is the map that names
them and hangs them on `app`. The map is written out in one place because the order of registration is the
order `restock --help` (and every group's help) lists them in: commands first, then the groups, each in the
order below, which is what users have seen so far.
"""

from __future__ import annotations

import typer

from restock.cli import (
    advice,
    availability,
    catalog,
    database,
    forecasts,
    fulfilment,
    keys,
    kpi,
    notify,
    orders,
    planning,
    purchasing,
    replenishment,
    server,
    stock,
    transfer,
    webhooks,
)

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Availability, backorders and replenishment.")


def _group(name: str, summary: str) -> typer.Typer:
    """A command group (`restock NAME ...`) whose bare name prints its help rather than an error."""
    group = typer.Typer(no_args_is_help=True, help=summary)
    app.add_typer(group, name=name)
    return group


app.command("init")(database.init)
app.command("demo")(database.demo)
app.command("availability")(availability.availability)
app.command("backorders")(availability.backorders)
app.command("overview")(availability.overview)
app.command("serve")(server.serve)
app.command("worker")(notify.worker)
app.command("outbox")(notify.outbox)
app.command("subscribe")(notify.subscribe)
plan_app = typer.Typer(invoke_without_command=True)  # `restock plan` alone plans; its help is the plan's docstring
plan_app.callback()(replenishment.plan)
plan_app.command("runs")(replenishment.plan_runs)
plan_app.command("compare")(replenishment.plan_compare)
app.add_typer(plan_app, name="plan")
app.command("radar")(replenishment.radar)
app.command("import")(transfer.import_file)
app.command("export")(transfer.export_file)
app.command("pick-list")(fulfilment.pick_list)
app.command("kpi")(kpi.kpi)

warehouse_app = _group("warehouse", "Stock locations.")
warehouse_app.command("add")(catalog.warehouse_add)

channel_app = _group("channel", "Sales channels and the warehouses that serve them.")
channel_app.command("add")(catalog.channel_add)
channel_app.command("set")(catalog.channel_set)

supplier_app = _group("supplier", "Suppliers and their lead times.")
supplier_app.command("add")(catalog.supplier_add)
supplier_app.command("set")(catalog.supplier_set)
supplier_app.command("scorecard")(planning.supplier_scorecard)
supplier_app.command("terms")(planning.supplier_terms)
supplier_app.command("terms-list")(planning.supplier_terms_list)

sku_app = _group("sku", "Sellable products and their backorder policy.")
sku_app.command("add")(catalog.sku_add)
sku_app.command("set")(catalog.sku_set)
sku_app.command("archive")(catalog.sku_archive)
sku_app.command("unarchive")(catalog.sku_unarchive)
sku_app.command("list")(catalog.sku_list)
sku_app.command("planning")(planning.sku_planning)

stock_app = _group("stock", "Stock balances and the movement ledger.")
# DELTA may be negative (-5): without this, click would read it as an unknown option.
stock_app.command("adjust", context_settings={"ignore_unknown_options": True})(stock.stock_adjust)
stock_app.command("transfer")(stock.stock_transfer)
stock_app.command("show")(stock.stock_show)

po_app = _group("po", "Purchase orders.")
po_app.command("create")(purchasing.po_create)
po_app.command("send")(purchasing.po_send)
po_app.command("confirm")(purchasing.po_confirm)
po_app.command("eta")(purchasing.po_eta)
po_app.command("receive")(purchasing.po_receive)
po_app.command("cancel")(purchasing.po_cancel)
po_app.command("list")(purchasing.po_list)
po_app.command("show")(purchasing.po_show)

order_app = _group("order", "Customer orders.")
order_app.command("place")(orders.order_place)
order_app.command("show")(orders.order_show)
order_app.command("list")(orders.order_list)
order_app.command("cancel")(orders.order_cancel)
order_app.command("ship")(fulfilment.order_ship)

apikey_app = _group("apikey", "API keys for the REST API.")
apikey_app.command("create")(keys.apikey_create)
apikey_app.command("revoke")(keys.apikey_revoke)
apikey_app.command("list")(keys.apikey_list)

webhook_app = _group("webhook", "Webhook endpoints for integrators.")
webhook_app.command("add")(webhooks.webhook_add)
webhook_app.command("list")(webhooks.webhook_list)
webhook_app.command("show")(webhooks.webhook_show)

demand_app = _group("demand", "Demand history: import demand recorded by another system.")
demand_app.command("import")(forecasts.demand_import)

forecast_app = _group("forecast", "Demand forecasts: check them on your own series.")
forecast_app.command("evaluate")(forecasts.forecast_evaluate)

_group("policy", "Backorder policy advice from what restock measures.").command("advise")(advice.policy_advise)
