# %% [markdown]
# # Semantic events
# After running this notebook you can send the standard ecommerce, email, mobile app, video, live chat and A/B test events as typed models, let the editor complete their fields for you, and look up any semantic event in the registry.
#
# ## Requirements
# - The `cio` package; `00_setup_and_configuration` explains credentials.
# - Optional: `CIO_API_KEY` for the real API; without it a local sandbox starts below.
# - Data files: none (orders, emails and videos are made up).

# %% [markdown]
# Imports: the registry, the typed ecommerce models, and the notebook helpers.

# %%
import cio
from cio.models import SEMANTIC_EVENTS, SEMANTIC_FAMILIES, encode_message, semantic_event
from cio.models.semantic import OrderCompleted
from cio.models.semantic.ecommerce import OrderCompletedProperties, Product
from cio.notebook import connect, explain

# %% [markdown]
# Named values: one shopper, one order with two products, and the ids the other families refer to.

# %%
USER_ID = "cust-6006"
ORDER_ID = "order-20240601-0042"
PRODUCTS = [
    Product(product_id="sku-100", name="Notebook, dotted", price=12.5, quantity=2),
    Product(product_id="sku-220", name="Fountain pen", price=35.0, quantity=1),
]
CAMPAIGN = {"campaign_id": "welcome-series", "email_id": "email-0001", "email_subject": "Welcome"}
APP_VERSION = "3.2.0"
VIDEO = {"asset_id": "video-how-to-01", "title": "Getting started", "total_length": 312}
CHAT = {"conversation_id": "chat-5150", "agent_id": "agent-07"}
CURRENCY = "EUR"
EXPERIMENT_ID, VARIANT = "checkout-button", "green"
MISSPELLED_EVENT = "Order Complete"
MISTYPED_EMAIL = "shopper.example.com"

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## What the registry offers
# `SEMANTIC_FAMILIES` groups every semantic event name by family, and `SEMANTIC_EVENTS` maps each name to its model class.
# The `cio` family holds Customer.io's own events (deletions, devices, reporting), which the people, devices and objects services send for you.

# %%
{family: len(names) for family, names in SEMANTIC_FAMILIES.items()}

# %% [markdown]
# Each name leads to a class, so code can find the right model for an event name it reads from data.

# %%
{name: SEMANTIC_EVENTS[name].__name__ for name in SEMANTIC_FAMILIES["mobile"]}

# %% [markdown]
# ## Ecommerce, with typed models
# Every semantic event is a `Track` subclass with the event name fixed and its `properties` typed.
# The properties types are `TypedDict`s: plain dictionaries at run time, checked by mypy and pyright in your editor.
# In Jupyter, typing `OrderCompletedProperties(` and pressing Shift+Tab lists the recommended keys with their descriptions; the first of them are printed below.

# %%
print("\n".join(OrderCompletedProperties.getdoc().splitlines()[:12]))

# %% [markdown]
# Build the order from the typed pieces; the model computes nothing, it checks types and names and serializes in the documented wire form.

# %%
subtotal = sum(product["price"] * product["quantity"] for product in PRODUCTS)
properties = OrderCompletedProperties(
    order_id=ORDER_ID, products=PRODUCTS, subtotal=subtotal, total=subtotal, currency=CURRENCY
)
order = OrderCompleted(user_id=USER_ID, properties=properties)
order.to_payload()["properties"]["products"][0]

# %% [markdown]
# A ready model goes through `client.send`, or through `client.events.ecommerce`, which also accepts a name and a plain dictionary.

# %%
ecommerce = [
    client.events.ecommerce("Product Added", USER_ID, {"product_id": "sku-100", "quantity": 2}),
    client.send(order),
]
[result.ok for result in ecommerce]

# %% [markdown]
# ## Recommended types are warnings, misspelled names are errors
# The API stores any JSON object as `properties`, so a total written as text is accepted and sent as written.
# It is probably a mistake, so the message carries a located warning; mypy and pyright flag the same line before it runs.

# %%
odd_order = OrderCompleted(user_id=USER_ID, properties={"order_id": ORDER_ID, "total": "forty-two"})
[(warning.field, warning.type) for warning in odd_order.warnings]

# %% [markdown]
# A misspelled event name is caught too.
# `semantic_event` suggests the closest registered names; the family methods (`client.events.ecommerce` and the others) list every name of their family.

# %%
try:
    semantic_event(MISSPELLED_EVENT, user_id=USER_ID, properties={"order_id": ORDER_ID})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# To recover, use the suggested name and give amounts as numbers; nothing was sent.

# %% [markdown]
# ## Email, mobile app, video and live chat
# Each family has its own method; the properties are checked against the event's model in the same way.

# %%
families = [
    client.events.email("Email Opened", USER_ID, CAMPAIGN),
    client.events.email("Email Link Clicked", USER_ID, {**CAMPAIGN, "link_url": "https://shop.example.com/new"}),
    client.events.mobile("Application Opened", USER_ID, {"version": APP_VERSION, "from_background": True}),
    client.events.video("Video Content Started", USER_ID, VIDEO),
    client.events.live_chat("Live Chat Conversation Started", USER_ID, CHAT),
]
[result.ok for result in families]

# %% [markdown]
# ## A/B tests
# `Experiment Viewed` records which variant a person saw; the experiment and variant are keyword arguments.

# %%
experiment = client.events.experiment_viewed(USER_ID, experiment_id=EXPERIMENT_ID, variation_name=VARIANT)
experiment.ok

# %% [markdown]
# ## Any semantic event by name
# `semantic_event(name, ...)` builds the right model for any registered name, which suits pipelines that read event names from data.
# `client.track` does the same check when given a semantic name, so even plain calls get the typed validation.

# %%
wishlist = semantic_event("Product Added to Wishlist", user_id=USER_ID, properties={"product_id": "sku-220"})
by_name = [client.send(wishlist), client.track(USER_ID, "Application Backgrounded")]
type(wishlist).__name__, [result.ok for result in by_name]

# %% [markdown]
# ## Accepted, but probably a mistake: warnings
# Some things the API accepts are still likely mistakes: an email that cannot receive mail, or a top-level key the API ignores (here `timestmap`, a typo in a row read from a pipeline).
# `cio` sends such a message as written and reports each problem as a warning: where it is and why, never the value.

# %%
PIPELINE_ROW = {
    "type": "track",
    "userId": USER_ID,
    "event": "Order Completed",
    "properties": {"order_id": ORDER_ID, "total": subtotal, "currency": CURRENCY},
    "context": {"traits": {"email": MISTYPED_EMAIL}},
    "timestmap": "2024-06-01T12:00:00Z",
}
warned = client.send(PIPELINE_ROW)
[(warning.field, warning.type) for warning in warned.warnings]

# %% [markdown]
# The message was accepted (`warned.ok`); the address has no @, and the API ignores `timestmap`, so the order's time is when it arrived.
# Reports show warnings beside errors: `BatchReport.warnings`, import and validation tables, the CLI, the sandbox's `sandbox.warnings`.

# %% [markdown]
# ## Warnings as errors
# For a strict contract, `warnings="error"` refuses such a message in that call (`encode_message`, `to_json`, `client.batch.send`); `CIO_WARNINGS=error` does it for the whole process.

# %%
try:
    encode_message(PIPELINE_ROW, warnings="error")
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# ## What arrived
# Every accepted call returned a `SendResult`; the two invalid events and the row refused under the strict switch were never sent.

# %%
sent = [*ecommerce, *families, experiment, *by_name, warned]
EXPECTED_MESSAGES = sum(len(result.message_ids) for result in sent if result.ok)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
