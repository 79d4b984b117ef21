# %% [markdown]
# # Event tracking
# After running this notebook you can track custom events, page views and screen views, backfill history with explicit timestamps, attach context, and read the validation errors a bad event raises.
#
# ## Requirements
# - The `cio` package; `00_setup_and_configuration` explains credentials.
# - Optional: `CIO_API_KEY` for the real API; without it a local sandbox starts below.
# - Data files: none (events are generated in the notebook).

# %% [markdown]
# Imports: the library, the typed context models and the notebook helpers.

# %%
import datetime as dt

import cio
from cio.models import Context
from cio.models.context import ContextPage
from cio.notebook import connect, explain

# %% [markdown]
# Every id, name and date the notebook uses, named once.

# %%
USER_ID = "cust-3003"
REPORT_EVENT = "Report Exported"
REPORT_PROPERTIES = {"format": "csv", "rows": 1250, "filters": ["region:eu", "plan:pro"]}
PRICING_PAGE = {"url": "https://shop.example.com/pricing", "title": "Pricing"}
SETTINGS_SCREEN = "Settings"
BACKFILL_EVENT = "Invoice Paid"
BACKFILL_START = dt.datetime(2024, 1, 31, 9, 0, tzinfo=dt.timezone.utc)
BACKFILL_MONTHS = 6
COMPARE_EVENT = "Plan Compared"
DOCUMENTATION_IP = "203.0.113.7"  # an address reserved for documentation
LOCALE = "en-GB"
BLANK_EVENT_NAME = "  "

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## A custom event
# Any name works for your own events; properties are free-form JSON values (strings, numbers, booleans, lists, nested objects).
# Events are attached to a person by `user_id` (or `anonymous_id` before sign-up).

# %%
exported = client.events.track(USER_ID, REPORT_EVENT, REPORT_PROPERTIES)
exported

# %% [markdown]
# ## Page and screen views
# `page` records a web page view and `screen` a mobile app screen; both take a name and properties.

# %%
page_view = client.events.page(USER_ID, PRICING_PAGE["title"], properties=PRICING_PAGE)
screen_view = client.events.screen(USER_ID, SETTINGS_SCREEN, properties={"section": "billing"})
page_view.path, screen_view.path

# %% [markdown]
# ## Backfilling history
# Historical events keep their real time when you pass `timestamp`, which must carry a timezone.
# Here six invoices, one every 30 days, are replayed oldest first, each with the time it was paid.

# %%
paid_dates = [BACKFILL_START + dt.timedelta(days=30 * month) for month in range(BACKFILL_MONTHS)]
backfilled = [
    client.events.track(USER_ID, BACKFILL_EVENT, {"invoice": f"inv-{n:04d}"}, timestamp=paid)
    for n, paid in enumerate(paid_dates, start=1)
]
[paid.date().isoformat() for paid in paid_dates]

# %% [markdown]
# A timestamp without a timezone is refused, because guessing the zone would shift events by hours.
# This is a validation error: it names the field, and nothing is sent.

# %%
naive = dt.datetime(2024, 1, 31, 9, 0)
try:
    client.events.track(USER_ID, BACKFILL_EVENT, timestamp=naive)
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# To recover, attach the zone the time was recorded in, for example `naive.replace(tzinfo=dt.timezone.utc)` for UTC.

# %% [markdown]
# ## Context
# Context describes the circumstances of an event: IP address, locale, page, device, campaign and more.
# It can be a typed `Context` model (autocompletion lists its fields) or a plain dictionary.

# %%
context = Context(ip=DOCUMENTATION_IP, locale=LOCALE, page=ContextPage(**PRICING_PAGE))
with_context = client.events.track(USER_ID, COMPARE_EVENT, {"plans": 3}, context=context)
context.model_dump(by_alias=True, exclude_none=True)

# %% [markdown]
# ## Validation errors on bad events
# An event needs a name; a blank one is refused before sending.

# %%
try:
    client.events.track(USER_ID, BLANK_EVENT_NAME, {"rows": 3})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# Property values must be JSON: a `NaN` (common after a pandas join) cannot be sent.
# The error says where the problem is (the `score` key of `properties`), so you can fix the column upstream.

# %%
try:
    client.events.track(USER_ID, REPORT_EVENT, {"score": float("nan")})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# In both cases nothing was sent: fix the input (a real name, a number or `None` instead of `NaN`) and call again.

# %% [markdown]
# ## What arrived
# The accepted calls returned `SendResult`s; the three refused events were never sent.

# %%
sent = [exported, page_view, screen_view, *backfilled, with_context]
EXPECTED_MESSAGES = sum(len(result.message_ids) for result in sent if result.ok)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
