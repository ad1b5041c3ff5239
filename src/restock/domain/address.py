"""Where an order goes: the delivery address a shop sends with it, and the one rule for what such an address is.

Restock never ships a parcel itself; it keeps the address so that the warehouse reading the order has it. So the
rule is about shape (what a label printer and a carrier's form accept), not about whether the street exists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from restock.domain.errors import InvalidInput

_ALPHA_2 = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
    "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
    "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
    "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
    "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
)
COUNTRIES = frozenset(_ALPHA_2.split())
"""ISO 3166-1 alpha-2: the officially assigned codes (249)."""

MAX_LENGTHS = {
    "name": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "postal_code": 20,
    "region": 100,
    "phone": 40,
}
"""Per field, the most characters a label or a carrier's form is given; the country is always two letters."""

PHONE_CHARACTERS = frozenset("0123456789+-() ./")


@dataclass(frozen=True)
class DeliveryAddress:
    line1: str
    city: str
    country: str
    """ISO 3166-1 alpha-2, upper case (`DE`, `GB`, `US`)."""
    name: str | None = None
    """Who receives the parcel, when not the customer who ordered."""
    line2: str | None = None
    postal_code: str | None = None
    region: str | None = None
    phone: str | None = None

    def present(self) -> dict[str, str]:
        """The fields that are set, by name: what the order row stores (JSON) and what is shown."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}


def check_delivery_address(address: DeliveryAddress) -> DeliveryAddress:
    """Every field set is printable text, not blank, within its length; the country is an ISO 3166-1 alpha-2
    code; a phone number holds only digits and the usual separators. The first fault found is named."""
    for field_name, value in address.present().items():
        if field_name == "country":
            continue
        limit = MAX_LENGTHS[field_name]
        if not value.strip() or len(value) > limit or not value.isprintable():
            raise InvalidInput(f"delivery address {field_name} must be 1-{limit} printable characters")
    if address.country not in COUNTRIES:
        raise InvalidInput(
            f"delivery address country {address.country[:10]!r} is not an ISO 3166-1 alpha-2 code (e.g. DE, GB, US)"
        )
    if address.phone is not None and not set(address.phone) <= PHONE_CHARACTERS:
        raise InvalidInput("delivery address phone may hold only digits, spaces and + - ( ) . /")
    return address


def address_from_stored(stored: dict[str, str] | None) -> DeliveryAddress | None:
    """The address as the order row keeps it (JSON), back in its type; fields it does not know are left out."""
    if not stored:
        return None
    known = {f.name for f in fields(DeliveryAddress)}
    return DeliveryAddress(**{k: v for k, v in stored.items() if k in known})
