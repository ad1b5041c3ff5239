"""What the shop sells: categories of products, their materials, price ranges, variants and seasons.

The catalog draws its SKUs from these; their order matters, since the seeded draws pick from them by index.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    noun: str
    low: float
    high: float


@dataclass(frozen=True)
class Category:
    prefix: str
    materials: tuple[str, ...]
    products: tuple[Product, ...]
    variants: tuple[tuple[str, str, float], ...]
    """(name, code, price factor): colours cost the same, larger sizes more."""
    peak_day: int
    """Day of the year when demand peaks."""
    amplitude: float
    supplier_weights: tuple[float, ...]
    """Cumulative weights over SUPPLIERS."""


COLOURS = (
    ("Sage", "SAG", 1.0),
    ("Charcoal", "CHR", 1.0),
    ("Ochre", "OCH", 1.0),
    ("Navy", "NVY", 1.0),
    ("Cream", "CRM", 1.0),
    ("Terracotta", "TER", 1.0),
    ("Black", "BLK", 1.0),
    ("White", "WHT", 1.0),
)
SIZES = (("Small", "S", 0.8), ("Medium", "M", 1.0), ("Large", "L", 1.25), ("Extra large", "XL", 1.5))

CATEGORIES = (
    Category(
        "KIT",
        ("Stoneware", "Enamel", "Bamboo", "Glass", "Oak", "Speckled", "Nordic"),
        (
            Product("Mug", 8, 16),
            Product("Espresso Cup Set", 14, 28),
            Product("Teapot", 22, 48),
            Product("Cafetiere", 18, 45),
            Product("Chef's Knife", 25, 90),
            Product("Chopping Board", 12, 35),
            Product("Mixing Bowl", 9, 24),
            Product("Tea Towel Set", 7, 15),
            Product("Storage Jar", 5, 14),
            Product("Water Glass Set", 12, 30),
        ),
        COLOURS,
        345,
        0.35,
        (0.1, 0.5, 0.7, 1.0),
    ),
    Category(
        "HOM",
        ("Linen", "Wool", "Velvet", "Rattan", "Ceramic", "Recycled", "Woven"),
        (
            Product("Cushion Cover", 12, 25),
            Product("Throw Blanket", 35, 95),
            Product("Scented Candle", 9, 28),
            Product("Photo Frame", 8, 30),
            Product("Table Lamp", 45, 160),
            Product("Doormat", 15, 35),
            Product("Wall Clock", 25, 70),
            Product("Vase", 14, 60),
        ),
        COLOURS,
        330,
        0.3,
        (0.0, 0.35, 0.6, 1.0),
    ),
    Category(
        "GRD",
        ("Galvanised", "Terracotta", "Recycled", "Steel", "Cedar"),
        (
            Product("Watering Can", 12, 35),
            Product("Plant Pot", 6, 40),
            Product("Pruning Shears", 14, 45),
            Product("Garden Gloves", 6, 15),
            Product("Bird Feeder", 10, 35),
            Product("Seed Tray Set", 5, 12),
            Product("Raised Bed Kit", 70, 220),
        ),
        SIZES,
        130,
        0.75,
        (0.3, 0.3, 0.8, 1.0),
    ),
    Category(
        "OUT",
        ("Insulated", "Ultralight", "Trail", "Alpine", "Coastal"),
        (
            Product("Water Bottle", 12, 35),
            Product("Camping Mug", 9, 18),
            Product("Head Torch", 15, 45),
            Product("Picnic Blanket", 20, 55),
            Product("Dry Bag", 12, 35),
            Product("Folding Stool", 20, 60),
            Product("Two-Person Tent", 90, 320),
        ),
        COLOURS,
        190,
        0.55,
        (0.2, 0.2, 0.5, 1.0),
    ),
    Category(
        "TOY",
        ("Wooden", "Rainbow", "Classic", "Eco", "Junior"),
        (
            Product("Jigsaw Puzzle", 10, 25),
            Product("Building Blocks Set", 20, 65),
            Product("Plush Bear", 12, 30),
            Product("Card Game", 8, 20),
            Product("Stunt Kite", 18, 45),
            Product("Marble Run", 30, 80),
        ),
        SIZES,
        350,
        0.9,
        (0.0, 0.2, 0.45, 1.0),
    ),
    Category(
        "STA",
        ("Dotted", "Lined", "Kraft", "Linen-bound", "Pastel"),
        (
            Product("Notebook A5", 5, 14),
            Product("Gel Pen Set", 4, 12),
            Product("Desk Organiser", 12, 35),
            Product("Sticky Notes Pack", 3, 8),
            Product("Weekly Planner", 9, 22),
            Product("Fountain Pen", 18, 120),
        ),
        COLOURS,
        245,
        0.5,
        (0.6, 0.6, 0.9, 1.0),
    ),
)
