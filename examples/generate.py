"""Generate the sample files in ``examples/`` (deterministic: the same bytes every run).

The files model a small online shop: people, their orders, the companies some of them
work for, who works where, and their phones. A handful of people rows are broken on
purpose so that ``cio validate`` and ``make demo`` have something to show.

Run ``python examples/generate.py`` to rewrite them.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20240501
PEOPLE = 2500
COMPANIES = 40
ORDERS = 1500
DEVICES = 1000
START = datetime(2023, 1, 1, tzinfo=timezone.utc)

FIRST = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Ken",
    "Radia",
    "Edsger",
    "Frances",
]
LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson", "Perlman"]
CITIES = [
    ("Boston", "US", "02134"),
    ("Oslo", "NO", "0150"),
    ("Berlin", "DE", "10115"),
    ("Lyon", "FR", "69001"),
    ("Austin", "US", "73301"),
    ("Leeds", "GB", "LS1 4AP"),
]
PLANS = ["free", "pro", "enterprise"]
INDUSTRIES = ["software", "retail", "logistics", "health", "media"]
PRODUCTS = [
    ("sku-100", "Notebook", 4.5),
    ("sku-200", "Pen set", 12.0),
    ("sku-300", "Desk lamp", 39.9),
    ("sku-400", "Chair", 149.0),
    ("sku-500", "Monitor arm", 89.5),
]

# Broken people rows (data row index -> what is wrong), shown by `cio validate`.
BROKEN = {
    17: "email",  # not an email address
    404: "blank id",  # user_id of spaces
    1200: "ragged",  # one cell too many
    1871: "no identity",  # neither user_id nor anonymous_id
    2333: "timestamp",  # naive timestamp (no timezone)
}


def _when(rng: random.Random, days: int = 540) -> datetime:
    return START + timedelta(seconds=rng.randrange(days * 86400))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def people(rng: random.Random) -> list[str]:
    header = [
        "user_id",
        "email",
        "first_name",
        "last_name",
        "plan",
        "vip",
        "lifetime_value",
        "phone",
        "address.city",
        "address.country",
        "address.zip",
        "timestamp",
    ]
    rows: list[list[object]] = []
    ids = []
    for index in range(PEOPLE):
        user_id = f"cust-{index + 1:05d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, country, zip_code = rng.choice(CITIES)
        row: list[object] = [
            user_id,
            f"{first}.{last}.{index + 1}@example.com".lower(),
            first,
            last,
            rng.choice(PLANS),
            "true" if rng.random() < 0.1 else "false",
            f"{rng.uniform(0, 2000):.2f}",
            f"+1555{rng.randrange(10**7):07d}",
            city,
            country,
            zip_code,
            _iso(_when(rng)),
        ]
        problem = BROKEN.get(index)
        if problem == "email":
            row[1] = "not-an-email-address"
        elif problem == "blank id":
            row[0] = "   "
        elif problem == "ragged":
            row.append("stray cell")
        elif problem == "no identity":
            row[0] = ""
        elif problem == "timestamp":
            row[-1] = row[-1].replace("T", " ").rstrip("Z")
        else:
            ids.append(user_id)
        rows.append(row)
    _write("people.csv", header, rows)
    return ids


def orders(rng: random.Random, ids: list[str]) -> None:
    header = [
        "user_id",
        "order_id",
        "timestamp",
        "total",
        "revenue",
        "currency",
        "coupon",
        "products",
    ]
    rows: list[list[object]] = []
    for index in range(ORDERS):
        items = rng.sample(PRODUCTS, rng.randint(1, 3))
        products = [
            {"product_id": sku, "name": name, "price": price, "quantity": rng.randint(1, 3)}
            for sku, name, price in items
        ]
        total = round(sum(p["price"] * p["quantity"] for p in products), 2)
        rows.append(
            [
                rng.choice(ids),
                f"ord-{index + 1:06d}",
                _iso(_when(rng)),
                f"{total:.2f}",
                f"{total * 0.8:.2f}",
                rng.choice(["USD", "EUR", "GBP"]),
                "SPRING10" if rng.random() < 0.15 else "",
                json.dumps(products, separators=(",", ":")),
            ]
        )
    _write("orders.csv", header, rows)


def companies(rng: random.Random) -> list[str]:
    header = ["object_id", "object_type_id", "name", "industry", "employees", "plan"]
    rows: list[list[object]] = []
    for index in range(COMPANIES):
        rows.append(
            [
                f"co-{index + 1:03d}",
                "1",
                f"{rng.choice(LAST)} {rng.choice(['Labs', 'Works', 'Group'])}",
                rng.choice(INDUSTRIES),
                rng.randrange(5, 5000),
                rng.choice(PLANS),
            ]
        )
    _write("companies.csv", header, rows)
    return [str(row[0]) for row in rows]


def relationships(rng: random.Random, ids: list[str], company_ids: list[str]) -> None:
    header = ["user_id", "object_id", "object_type_id", "role", "joined_at"]
    rows = [
        [
            user_id,
            rng.choice(company_ids),
            "1",
            rng.choice(["member", "member", "admin", "billing"]),
            _iso(_when(rng)),
        ]
        for user_id in ids
        if rng.random() < 0.6
    ]
    _write("relationships.csv", header, rows)


def devices(rng: random.Random, ids: list[str]) -> None:
    header = ["user_id", "token", "device_type", "app_version"]
    rows = [
        [
            rng.choice(ids),
            f"{rng.getrandbits(128):032x}",
            rng.choice(["ios", "android"]),
            rng.choice(["3.1.0", "3.2.1", "4.0.0"]),
        ]
        for _ in range(DEVICES)
    ]
    _write("devices.csv", header, rows)


def main() -> None:
    """Write every sample file."""
    rng = random.Random(SEED)
    ids = people(rng)
    orders(rng, ids)
    company_ids = companies(rng)
    relationships(rng, ids, company_ids)
    devices(rng, ids)


if __name__ == "__main__":
    main()
