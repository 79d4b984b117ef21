"""User code that both type checkers accept (see tests/typing/test_user_code.py)."""

from datetime import datetime, timezone

from cio.models import Group, Identify, Track, semantic_event
from cio.models.semantic import (
    OrderCompleted,
    OrderCompletedProperties,
    Product,
    ProductAdded,
    VideoContentStarted,
)

WHEN = datetime(2024, 6, 1, tzinfo=timezone.utc)

person = Identify(user_id="42", traits={"plan": "pro", "seats": 3}, timestamp=WHEN)
custom = Track(anonymous_id="a-1", event="Signed Up", properties={"plan": "pro", "x": None})
company = Group(group_id="acme", user_id="42", traits={"name": "Acme"})
order = OrderCompleted(
    user_id="42",
    properties={"order_id": "o-1", "total": 30, "products": [{"product_id": "p-1", "quantity": 2}]},
)
product: Product = {"product_id": "p-2", "price": 9.5}
properties = OrderCompletedProperties(order_id="o-2", total=12.5, products=[product])
built: OrderCompleted = semantic_event("Order Completed", user_id="42", properties=properties)
added: ProductAdded = semantic_event("Product Added", user_id="42")
video = VideoContentStarted(user_id="42", properties={"airdate": WHEN, "position": 3})
total: float | None = (order.properties or {}).get("total")
any_event: Track = semantic_event("Order Completed", user_id="42")
