# %% [markdown]
# # Setup and configuration
# After running this notebook you can install `cio`, give it credentials safely, pick a region, turn on strict mode, check that the connection works, and read the errors it raises.
#
# ## Requirements
# - Python 3.10 or newer and the `cio` package (`make install` in the repository, or `pip install -e .`).
# - Optional: a Customer.io Data Pipelines API key in `CIO_API_KEY` (environment or `.env`); without one the notebook starts a local sandbox.
# - Data files: none.

# %% [markdown]
# ## Install
# In the repository, `make install` creates `.venv` with everything, including the Jupyter kernel.
# Elsewhere, `pip install -e /path/to/cio` (add `[pandas]` for DataFrame support) is enough.
# The next cell imports the library and the notebook helpers, and names the values used below.

# %%
import cio
from cio.notebook import connect, explain

TEST_USER_ID = "setup-check-user"
TEST_USER_EMAIL = "setup-check@example.com"
PLACEHOLDER_KEY = "placeholder-not-a-real-key"
EU_REGIONAL_KEY = "pk_eu_placeholder-not-a-real-key"
WRONG_KEY = "wrong-key-for-the-demo"
TRACK_PATH = "/track"
INVALID_TRACK = b'{"userId": "setup-check-user"}'  # a track call without an event name
cio.__version__

# %% [markdown]
# ## Connect
# `connect()` looks for `CIO_API_KEY` in the environment and in the nearest `.env` file.
# With a key it returns a client for the real API; without one it starts a local sandbox and says so.
# The text below tells you which of the two this run uses.

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## Credentials
# The key comes from the environment (`export CIO_API_KEY=...`) or from a `.env` file next to the project (copy `.env.example`).
# Never type a key into a notebook: notebooks get committed, shared and rendered with their outputs.
# Explicit arguments beat environment variables, which beat `.env`.
# The settings in force are shown below; the key itself is always masked.

# %%
settings = client.settings
print("key       ", settings.api_key)
print("region    ", settings.resolved_region)
print("base URL  ", "(local sandbox)" if conn.sandbox else settings.resolved_base_url)
print("timeout   ", settings.timeout, "s per attempt")
print("retries   ", settings.max_retries)
print("strict    ", settings.strict)

# %% [markdown]
# ## Regions
# Workspaces live in the US or the EU data centre, and each has its own API address.
# Building `Settings` sends nothing, so a placeholder key is enough to see where each region points.
# Keys of the newer `pk_eu_...` / `sk_us_...` form carry their region, so the region follows from the key.

# %%
for region in ("us", "eu"):
    print(region, cio.Settings(api_key=PLACEHOLDER_KEY, region=region).resolved_base_url)
print("pk_eu_ key ->", cio.Settings(api_key=EU_REGIONAL_KEY).resolved_region)

# %% [markdown]
# A key for one region with the other region configured is a contradiction, and the client refuses it at once.
# This is the first failure to read: a `ConfigurationError` says what contradicts what, and `explain` adds how to recover.

# %%
try:
    cio.Settings(api_key=EU_REGIONAL_KEY, region="us")
except cio.ConfigurationError as error:
    print(explain(error))

# %% [markdown]
# The fix is to drop the explicit region (the key decides) or to use a key of the configured region.

# %% [markdown]
# ## Check the connection
# The Data Pipelines API has no "ping" call, so the check is one small identify of a test person.
# A `SendResult` with status 200 means the API accepted it.

# %%
check = client.identify(TEST_USER_ID, traits={"email": TEST_USER_EMAIL, "purpose": "connection check"})
check

# %% [markdown]
# ## Reading errors: a wrong key
# A client with a wrong key shows what an API error looks like.
# 401 is never retried (`max_retries` does not matter), and the exception carries the status and the number of attempts.

# %%
wrong_client = cio.CustomerIOClient(api_key=WRONG_KEY, base_url=conn.base_url)
try:
    wrong_client.identify(TEST_USER_ID)
except cio.AuthenticationError as error:
    print(explain(error))
finally:
    wrong_client.close()

# %% [markdown]
# To recover, fix `CIO_API_KEY` (or the region) and send again: the API accepted nothing from the failed call.

# %% [markdown]
# ## Reading errors: invalid input
# Input is validated before anything is sent, and the error names the field without echoing its value (values may be personal data).
# Here the identify has no id at all: neither `user_id` nor `anonymous_id`.

# %%
try:
    client.identify(traits={"email": TEST_USER_EMAIL})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# Every detail line gives the field path (and, for files, the row and column), the problem and an error type you can filter on.

# %% [markdown]
# ## Strict mode
# By default the API answers 200 even to a message it cannot use, and silently drops it.
# With `strict=True` (or `CIO_STRICT=true`) it answers 400 instead, so the problem surfaces.
# `cio` validates before sending, so to see the difference we post raw bytes that skip validation: a track call without an event name.

# %%
print("permissive:", client.post(TRACK_PATH, INVALID_TRACK).status_code)
strict_client = cio.CustomerIOClient(settings=settings.model_copy(update={"strict": True}))
try:
    strict_client.post(TRACK_PATH, INVALID_TRACK)
except cio.BadRequestError as error:
    print(explain(error))
finally:
    strict_client.close()

# %% [markdown]
# The permissive answer was 200, yet the message was dropped; strict mode turned the same mistake into a `BadRequestError`.
# Strict mode is a good default while developing a pipeline.

# %% [markdown]
# ## What arrived
# Only the connection check was a valid message; the wrong-key, invalid and raw posts were refused or dropped.
# The sandbox count below must match, which proves nothing else slipped through.

# %%
EXPECTED_MESSAGES = len(check.message_ids)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started) when done.

# %%
conn.close()
