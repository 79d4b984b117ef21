# %% [markdown]
# # People management
# After running this notebook you can create and update people (known and anonymous), clear a trait, merge duplicate profiles, and delete, suppress or unsuppress a person, knowing which of the three a request calls for.
#
# ## Requirements
# - The `cio` package; `00_setup_and_configuration` explains credentials.
# - Optional: `CIO_API_KEY` for the real API; without it a local sandbox starts below.
# - Data files: none (the people are made up, with `example.com` addresses).

# %% [markdown]
# Imports, then the ids and traits used throughout, named once here.

# %%
import cio
from cio.models import Identify
from cio.notebook import connect, explain

CUSTOMER_ID = "cust-1001"
CUSTOMER_TRAITS = {"email": "grace@example.com", "name": "Grace Example", "plan": "trial"}
VISITOR_ANONYMOUS_ID = "anon-5f2c9e"
VISITOR_TRAITS = {"utm_source": "newsletter", "landing_page": "/pricing"}
DUPLICATE_ID = "cust-1001-old"
LEAVER_ID = "cust-2002"
INVALID_EMAIL = "grace-at-example"

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## Identify a known person
# `identify` creates the person if the id is new and updates their traits otherwise.
# The result says which path was called, the status and the `messageId` the API will deduplicate on.

# %%
created = client.people.identify(CUSTOMER_ID, CUSTOMER_TRAITS)
created

# %% [markdown]
# ## Identify an anonymous visitor
# Before sign-up you only have an anonymous id (from a cookie or a device).
# Identify with `anonymous_id` alone; later, an identify with both ids ties the visitor's history to the person.

# %%
visitor = client.people.identify(anonymous_id=VISITOR_ANONYMOUS_ID, traits=VISITOR_TRAITS)
signed_up = client.people.identify(CUSTOMER_ID, anonymous_id=VISITOR_ANONYMOUS_ID)
visitor.ok, signed_up.ok

# %% [markdown]
# ## Update and clear traits
# Send only the traits that changed; the others keep their values.
# A trait set to `None` is cleared, and the payload keeps the explicit `null` so the API knows to remove it.
# Building the model first lets you look at exactly what will be sent.

# %%
upgrade = Identify(user_id=CUSTOMER_ID, traits={"plan": "pro", "landing_page": None})
upgrade.to_payload()["traits"]

# %% [markdown]
# A ready model goes through the same service method.

# %%
updated = client.people.identify(upgrade)
updated.status_code

# %% [markdown]
# ## A warning and a validation error
# The API stores any string as `email`, so a malformed address is sent, with a warning that names the field and the reason.
# Neither says the value, so logs stay free of personal data.

# %%
warned = client.people.identify(CUSTOMER_ID, email=INVALID_EMAIL)
[(warning.field, warning.msg) for warning in warned.warnings]

# %% [markdown]
# To fix it, correct the address at its source and identify again; `CIO_WARNINGS=error` refuses such messages instead of sending them.
# An identify without any id is refused before sending, because the API would drop it.

# %%
try:
    client.people.identify(traits={"plan": "trial"})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# To recover, give the person's id (or an anonymous id) and identify again; nothing was sent.

# %% [markdown]
# ## Merge duplicate profiles
# When one person ended up with two ids, `merge(primary, secondary)` folds the secondary profile into the primary.
# The secondary id stops existing, so merge only after checking both profiles are the same person.

# %%
duplicate = client.people.identify(DUPLICATE_ID, {"email": "grace.old@example.com"})
merged = client.people.merge(CUSTOMER_ID, DUPLICATE_ID)
merged.path

# %% [markdown]
# ## Delete, suppress, unsuppress
# | call | what happens | when to use it |
# |---|---|---|
# | `delete` | the person and their data are removed; the id can come back with the next identify | an account is closed, or a GDPR erasure request when new data may legitimately arrive later |
# | `suppress` | the person is deleted and the id is blocked, so later data for it is ignored | a GDPR erasure or objection where the person must not reappear (for example an upstream system keeps sending them) |
# | `unsuppress` | the block is lifted; the id can be identified again | the person returns and consents again |
#
# Each call is a reserved track event (`User Deleted`, `User Suppressed`, `User Unsuppressed`).
# Here the customer who left is first created, then deleted; the duplicate id is suppressed and unsuppressed to show the pair.

# %%
leaver = client.people.identify(LEAVER_ID, {"email": "leaver@example.com"})
deleted = client.people.delete(LEAVER_ID)
suppressed = client.people.suppress(DUPLICATE_ID)
unsuppressed = client.people.unsuppress(DUPLICATE_ID)
[result.path for result in (deleted, suppressed, unsuppressed)]

# %% [markdown]
# ## What arrived
# Every accepted call returned a `SendResult`; the identify without an id was never sent.
# Counting the message ids in those results gives what the notebook sent, and the sandbox count must match.

# %%
sent = [created, visitor, signed_up, updated, warned, duplicate, merged, leaver, deleted, suppressed, unsuppressed]
EXPECTED_MESSAGES = sum(len(result.message_ids) for result in sent if result.ok)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
