"""restock: inventory availability, backorders and replenishment for online sellers."""

__version__ = "0.1.0"
