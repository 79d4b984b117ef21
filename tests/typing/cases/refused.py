"""User code both type checkers refuse: each line marked ``# error`` must be reported."""

from cio.models import Identify, Track, semantic_event
from cio.models.semantic import OrderCompleted, OrderCompletedProperties, ProductAdded

Identify(user_id=42)  # error: an id is a string
Identify(userID="42")  # error: unknown field (a camelCase typo)
Track(user_id="42")  # error: event is required
OrderCompleted(user_id="42", properties={"total": "forty-two"})  # error: total is a number
OrderCompleted(user_id="42", properties={"products": [{"quantity": 1.5}]})  # error: an integer
OrderCompleted(user_id="42", properties={"coupon_code": "X"})  # error: unknown property
OrderCompletedProperties(total="forty-two")  # error: total is a number
ProductAdded(user_id="42", properties={"quantity": 1.5})  # error: quantity is an integer
wrong: OrderCompleted = semantic_event("Order Updated", user_id="42")  # error: another class
