# %% [markdown]
# # Complete workflows
# After running this notebook you can put the pieces together for four real jobs: onboarding a new user, following a customer through an ecommerce journey, handling a customer's lifecycle up to deletion, and migrating people and orders from CSV exports.
#
# ## Requirements
# - The `cio` package with `matplotlib` for the plot (both are in `make install`); notebooks 00 to 06 explain each piece used here.
# - Optional: `CIO_API_KEY` for the real API (use a test workspace); without it a local sandbox starts below.
# - Data files: `data/legacy_people.csv` (25 people, one broken email) and `data/legacy_orders.csv` (50 orders, one unreadable total), relative to this folder.

# %% [markdown]
# Imports: the library, the CSV helpers, the ecommerce models, the notebook helpers and matplotlib.

# %%
import datetime as dt
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import cio
from cio.io import validate_csv
from cio.models.semantic.ecommerce import Product
from cio.notebook import connect, explain

# %% [markdown]
# Named values for the four workflows.

# %%
VISITOR_ANONYMOUS_ID = "anon-7d41"
NEW_USER_ID, NEW_USER_EMAIL = "cust-7001", "new.user@example.com"
COMPANY_ID, COMPANY_TYPE_ID = "northwind-example", "1"
DEVICE_TOKEN, PLATFORM = "apns-placeholder-token-7001", "ios"
SHOPPER_ID = "cust-7002"
PEN = Product(product_id="sku-220", name="Fountain pen", price=35.0, quantity=1)
ORDER_ID, CART_ID, CURRENCY = "order-88", "cart-88", "EUR"
PEN_PROPERTIES = dict(PEN)
ORDER = {"order_id": ORDER_ID, "products": [PEN_PROPERTIES], "total": PEN["price"], "currency": CURRENCY}
LIFECYCLE_ID = "cust-7003"
JOURNEY_START = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
PEOPLE_CSV, ORDERS_CSV = Path("data/legacy_people.csv"), Path("data/legacy_orders.csv")
PEOPLE_TYPES = {"created_at": "unix"}  # Customer.io reads created_at as seconds since 1970
WRONG_KEY = "wrong-key-for-the-demo"

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## 1. Onboarding a new user
# Application code should not wait on the network, so it queues calls on a buffered sender, which validates, packs and sends them on a background thread.
# The visitor browses anonymously, signs up (the identify ties the anonymous history to the new id), joins their company and installs the app.

# %%
signup_traits = {"email": NEW_USER_EMAIL, "plan": "trial"}
company = {"objectTypeId": COMPANY_TYPE_ID, "name": "Northwind Example"}
device = {"device": {"token": DEVICE_TOKEN, "type": PLATFORM}}
sender = client.buffered()
sender.page(None, "Pricing", anonymous_id=VISITOR_ANONYMOUS_ID)
sender.identify(NEW_USER_ID, signup_traits, anonymous_id=VISITOR_ANONYMOUS_ID)
sender.track(NEW_USER_ID, "Signed Up", {"method": "email"})
sender.group(NEW_USER_ID, COMPANY_ID, company)
sender.track(NEW_USER_ID, "Application Installed", {"version": "3.2.0"})
sender.track(NEW_USER_ID, "Device Created or Updated", context=device)
onboarding = sender.close()
onboarding

# %% [markdown]
# `close()` flushes and reports: all six calls were delivered, none is pending, failed or rejected.

# %% [markdown]
# ## 2. An ecommerce journey
# A shopper searches, views a product, adds it to the cart, checks out and completes the order; a week later the order is refunded.
# The events are semantic, so each is checked against its model; sending them as one batch keeps their order, because one person's messages always travel together.

# %%
steps = [
    ("Products Searched", {"query": "fountain pen"}, dt.timedelta(minutes=0)),
    ("Product Viewed", PEN_PROPERTIES, dt.timedelta(minutes=2)),
    ("Product Added", {**PEN_PROPERTIES, "cart_id": CART_ID}, dt.timedelta(minutes=3)),
    ("Checkout Started", ORDER, dt.timedelta(minutes=6)),
    ("Order Completed", ORDER, dt.timedelta(minutes=9)),
    ("Order Refunded", {"order_id": ORDER_ID}, dt.timedelta(days=7)),
]
journey = [
    cio.models.semantic_event(name, user_id=SHOPPER_ID, properties=props, timestamp=JOURNEY_START + after)
    for name, props, after in steps
]
shopping = client.batch.send(journey)
print(shopping)

# %% [markdown]
# Timestamps keep the real time of each step, so campaigns triggered by `Order Completed` see the order as it happened.

# %% [markdown]
# ## 3. A customer's lifecycle, through deletion
# The customer starts a trial, converts to a paid plan, later cancels, and finally asks for their data to be erased.
# Each change is an identify (traits) or a track (what happened); the erasure is `people.delete`, because they may sign up again one day (use `suppress` if they must never return).

# %%
lifecycle = [
    client.people.identify(LIFECYCLE_ID, {"email": "lifecycle@example.com", "plan": "trial"}),
    client.people.identify(LIFECYCLE_ID, {"plan": "pro", "trial_ends_at": None}),
    client.events.track(LIFECYCLE_ID, "Subscription Cancelled", {"reason": "budget"}),
    client.people.identify(LIFECYCLE_ID, {"plan": None}),
    client.people.delete(LIFECYCLE_ID),
]
[result.path for result in lifecycle]

# %% [markdown]
# After the delete, stop sending data for that id: the next identify would create the person again.

# %% [markdown]
# ## 4. Migrating people and orders from CSV files
# A migration is validate, then import, people before their orders, each with a state file so an interrupted run can resume.
# First a dry look at both files:

# %%
for path, kind in ((PEOPLE_CSV, "identify"), (ORDERS_CSV, "Order Completed")):
    result = validate_csv(path, kind=kind)
    print(result)
    print(result.table(), end="\n\n")

# %% [markdown]
# One person has a broken email and one order has an unreadable total.
# Both rows are reported by row and column and skipped; the rest can go now, and the two rows can be fixed in the source system and imported later.

# %% [markdown]
# A common failure in a migration is an API key for the wrong workspace or region.
# The import stops at the first answer, a 401, and says so; nothing was acknowledged, so the state file is empty.

# %%
state_dir = Path(tempfile.mkdtemp())
wrong = cio.CustomerIOClient(api_key=WRONG_KEY, base_url=conn.base_url)
try:
    wrong.batch.import_csv(PEOPLE_CSV, kind="identify", types=PEOPLE_TYPES, state=state_dir / "people.state")
except cio.AuthenticationError as error:
    print(explain(error))
finally:
    wrong.close()

# %% [markdown]
# With the right client the same import, with the same state file, runs from the start; people first, then their orders.

# %%
people = client.batch.import_csv(
    PEOPLE_CSV, kind="identify", types=PEOPLE_TYPES, state=state_dir / "people.state"
)
orders = client.batch.import_csv(ORDERS_CSV, kind="Order Completed", state=state_dir / "orders.state")
print(people, orders, sep="\n\n")

# %% [markdown]
# 24 people and 49 orders were delivered; the two invalid rows are in the reports' error tables, ready to be fixed and imported.

# %% [markdown]
# A chart of the migration, per file: rows delivered and rows left behind as invalid.
# (Displayed in Jupyter, each report also draws its delivery over time and where its errors are; `cio import --report page.html` writes the same to a page.)

# %%
files, imports = ["people", "orders"], [people, orders]
fig, ax = plt.subplots(figsize=(6, 2.4))
ax.barh(files, [r.sent for r in imports], color="tab:blue", label="delivered")
ax.barh(files, [r.invalid for r in imports], left=[r.sent for r in imports], color="tab:red", label="invalid (not sent)")
ax.set_title("Migration from CSV: rows per file")
ax.set_xlabel("rows")
ax.set_ylabel("CSV file")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## What arrived
# Every delivered message is counted in a `SendResult`, a buffered sender's flush result or a report.

# %%
delivered = [onboarding.sent, shopping.sent, people.sent, orders.sent]
EXPECTED_MESSAGES = sum(delivered) + sum(len(result.message_ids) for result in lifecycle)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
