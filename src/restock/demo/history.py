"""The year of history: simulated batch by batch and bulk-written into one transaction."""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from restock.demo.baskets import HistoricOrder, pack_orders
from restock.demo.bulk import insert_returning_ids, insert_rows
from restock.demo.catalog_writer import Ids, write_catalog
from restock.demo.fates import PoState, po_state
from restock.demo.guard import refuse_non_empty
from restock.demo.history_rows import (
    eta_change_rows,
    movement_row,
    order_line_row,
    order_row,
    part_row,
    po_line_row,
    po_row,
    stock_rows,
)
from restock.demo.meter import Meter
from restock.demo.shop import Shop
from restock.demo.simulation import BATCH_SKUS, Batch, LedgerEntry, SkuEnding, simulate_batch
from restock.services.context import Context
from restock.services.supply import refresh_supplier_lateness
from restock.store.db import unit_of_work
from restock.store.schema import EtaChange, LinePart, Movement, Order, OrderLine, POLine, PurchaseOrder, Stock


class HistoryWriter:
    """Writes the simulated year into the caller's transaction, one batch of SKUs at a time."""

    def __init__(self, session: Session, shop: Shop, ids: Ids, meter: Meter) -> None:
        self.session, self.shop, self.ids, self.meter = session, shop, ids, meter
        self.po_ids: dict[int, int] = {}
        self.po_states: dict[int, PoState] = {}

    def write(self, batch: Batch) -> None:
        share = len(batch.outcomes) / 3
        self._write_purchase_orders(batch)
        self._write_orders(pack_orders(self.shop, batch))
        self.meter.advance(2 * share)
        self._write_ledger(batch.ledger_in_time_order())
        self.meter.advance(share)

    def _write_purchase_orders(self, batch: Batch) -> None:
        """The POs the batch's SKUs were ordered on (new ones with their ETA history), and their lines."""
        lines = batch.po_lines()
        fates = self.shop.fates.all
        new = sorted({line.fate for line in lines} - self.po_ids.keys(), key=lambda f: (fates[f].created_at, f))
        self.po_states.update((f, po_state(fates[f], self.shop.calendar)) for f in new)
        rows = [po_row(fates[f], self.po_states[f], self.ids) for f in new]
        self.po_ids.update(zip(new, insert_returning_ids(self.session, PurchaseOrder, rows), strict=True))
        eta_rows = [row for f in new for row in eta_change_rows(self.po_ids[f], self.po_states[f])]
        insert_rows(self.session, EtaChange, eta_rows)
        line_rows = [po_line_row(self.po_ids[line.fate], line, self.po_states[line.fate], self.ids) for line in lines]
        insert_rows(self.session, POLine, line_rows)

    def _write_orders(self, orders: list[HistoricOrder]) -> None:
        """Shipped orders, their lines, and one shipped part per warehouse a line was taken from."""
        insert_rows(self.session, Order, [order_row(order, self.ids) for order in orders])
        sales = [(order, sale) for order in orders for sale in order.sales]
        line_rows = [order_line_row(order, sale, self.ids) for order, sale in sales]
        line_ids = insert_returning_ids(self.session, OrderLine, line_rows)
        part_rows = [
            part_row(line_id, order, sale, warehouse, quantity, self.ids)
            for (order, sale), line_id in zip(sales, line_ids, strict=True)
            for warehouse, quantity in sale.parts
        ]
        insert_rows(self.session, LinePart, part_rows)

    def _write_ledger(self, entries: list[LedgerEntry]) -> None:
        """The movements, then the balances as their sums: the two agree because one is computed from the other."""
        insert_rows(self.session, Movement, [movement_row(e, self.po_ids, self.ids) for e in entries])
        insert_rows(self.session, Stock, stock_rows(entries, self.ids))


def write_year(ctx: Context, shop: Shop, meter: Meter) -> list[SkuEnding]:
    """Simulate and write the year batch by batch, in one transaction: all of it or nothing."""
    meter.start("simulating and writing a year of history", 2 * len(shop.skus))
    endings: list[SkuEnding] = []
    with unit_of_work(ctx.engine) as session:
        refuse_non_empty(session)
        writer = HistoryWriter(session, shop, write_catalog(session, shop), meter)
        for number in range(math.ceil(len(shop.skus) / BATCH_SKUS)):
            batch = simulate_batch(shop, number, meter)
            writer.write(batch)
            endings.extend(outcome.ending() for outcome in batch.outcomes)
        for supplier_id in writer.ids.suppliers:
            refresh_supplier_lateness(session, supplier_id, ctx.clock.today())
    return endings
