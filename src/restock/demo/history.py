"""The year of history: simulated batch by batch and bulk-written into one transaction."""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from restock.demo.baskets import HistoricOrder, pack_orders
from restock.demo.bulk import insert_returning_ids, insert_rows
from restock.demo.catalog_writer import Ids, write_catalog
from restock.demo.fates import PoState, po_state
from restock.demo.guard import refuse_non_empty
from restock.demo.history_rows import order_row, part_row, po_row, units
from restock.demo.meter import Meter
from restock.demo.shop import Shop
from restock.demo.simulation import BATCH_SKUS, Batch, LedgerEntry, SkuEnding, simulate_batch
from restock.domain.model import POStatus
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
        eta_rows = [
            {"po_id": self.po_ids[f], "old_eta": old, "new_eta": new_eta, "changed_at": at}
            for f in new
            for old, new_eta, at in self.po_states[f].eta_history
        ]
        insert_rows(self.session, EtaChange, eta_rows)
        line_rows = [
            {
                "po_id": self.po_ids[line.fate],
                "sku_id": self.ids.skus[line.sku],
                "ordered": line.quantity,
                "received": line.quantity if self.po_states[line.fate].status is POStatus.RECEIVED else 0,
                "promised": 0,
                # as confirm_po leaves them: a confirmed PO's lines are open for promises
                "promisable": self.po_states[line.fate].status is POStatus.CONFIRMED,
            }
            for line in lines
        ]
        insert_rows(self.session, POLine, line_rows)

    def _write_orders(self, orders: list[HistoricOrder]) -> None:
        """Shipped orders, their lines, and one shipped part per warehouse a line was taken from."""
        insert_rows(self.session, Order, [order_row(order, self.ids) for order in orders])
        sales = [(order, sale) for order in orders for sale in order.sales]
        line_rows = [
            {"order_id": order.id, "sku_id": self.ids.skus[sale.sku], "quantity": units(sale), "status": "shipped"}
            for order, sale in sales
        ]
        line_ids = insert_returning_ids(self.session, OrderLine, line_rows)
        part_rows = [
            part_row(line_id, order, sale, warehouse, quantity, self.ids)
            for (order, sale), line_id in zip(sales, line_ids, strict=True)
            for warehouse, quantity in sale.parts
        ]
        insert_rows(self.session, LinePart, part_rows)

    def _write_ledger(self, entries: list[LedgerEntry]) -> None:
        """The movements, then the balances as their sums: the two agree because one is computed from the other."""
        rows = [
            {
                "sku_id": self.ids.skus[e.sku],
                "warehouse_id": self.ids.warehouses[e.warehouse],
                "kind": e.kind,
                "on_hand_delta": e.on_hand_delta,
                "allocated_delta": e.allocated_delta,
                "reason": e.reason,
                "ref": f"po:{self.po_ids[e.fate]}" if e.fate >= 0 else e.ref,
                "created_at": e.at,
            }
            for e in entries
        ]
        insert_rows(self.session, Movement, rows)
        balances: dict[tuple[int, int], list[int]] = {}
        for e in entries:
            balance = balances.setdefault((e.sku, e.warehouse), [0, 0])
            balance[0] += e.on_hand_delta
            balance[1] += e.allocated_delta
        stock_rows = [
            {"sku_id": self.ids.skus[s], "warehouse_id": self.ids.warehouses[w], "on_hand": on_hand, "allocated": held}
            for (s, w), (on_hand, held) in sorted(balances.items())
        ]
        insert_rows(self.session, Stock, stock_rows)


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
