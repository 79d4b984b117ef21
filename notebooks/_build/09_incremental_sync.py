# %% [markdown]
# # Incremental sync
# After running this notebook you can keep Customer.io in step with a table by sending only what changed since the last run, preview a run before sending, mirror deletions safely, recover from refused rows, and read the history of every run.
#
# ## Requirements
# - The `cio` package (`make install`).
# - Optional: `CIO_API_KEY` for the real API (use a test workspace: this notebook sends about 40 made-up messages and deletes 5 made-up people); without it a local sandbox starts below.
# - The section on refused rows always uses a local sandbox, because the real API cannot be told to fail.
# - Data files: none to provide; the notebook writes a small CSV and its SQLite state database to a temporary folder.

# %% [markdown]
# Imports: the path, folder and temporary-folder helpers, the sync functions and errors, the notebook helpers and one sandbox fault.

# %%
import os
import tempfile
from pathlib import Path

from cio.io import DeletionLimitError, sync_history
from cio.notebook import connect, explain
from cio.sandbox import FailEveryNth

# %% [markdown]
# Named values: the people table, its key column, and where the source and the state live.

# %%
PEOPLE = 20
KIND, KEY = "identify", "user_id"
CONTROL_CHARACTER = "\x07"  # a bell, as a copy and paste from a terminal can leave one
WORK_DIR = Path(tempfile.mkdtemp(prefix="cio-sync-"))
os.chdir(WORK_DIR)  # the files below are named relative to it, so outputs show short names
SOURCE = Path("people.csv")
STATE = Path("people.db")
OBJECTS_SOURCE, OBJECTS_STATE = Path("companies.csv"), Path("companies.db")
BAD_REQUEST = 400

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## The source table
# A nightly export would write this file; here a small function writes it, with optional changes, missing people, and column order.

# %%
def write_people(plans=None, missing=(), broken=None, columns=("user_id", "email", "plan", "seats")):
    plans = plans or {}
    lines = [",".join(columns)]
    for number in range(1, PEOPLE + 1):
        if number in missing:
            continue
        user_id = f"sync-{number:02d}" + (CONTROL_CHARACTER if number == broken else "")
        row = {"user_id": user_id, "email": f"sync{number:02d}@example.com", "plan": plans.get(number, "free"), "seats": "1.0"}
        lines.append(",".join(row[column] for column in columns))
    SOURCE.write_text("\n".join(lines) + "\n", encoding="utf-8")


write_people()
print(SOURCE.read_text().splitlines()[:3])

# %% [markdown]
# ## Preview before sending
# A dry run reads and compares everything but sends nothing; it works offline and needs no client.
# Sample payloads keep their shape but mask their values, since rows are personal data.

# %%
preview = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE, dry_run=True)
print(preview.summary())
preview.samples[0]

# %% [markdown]
# ## The first sync
# Every row is new, so every row is sent; the state database records each one the API acknowledged.

# %%
first = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE)
print(first.summary())

# %% [markdown]
# Run it again without touching the source: every row is unchanged and nothing is sent.

# %%
again = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE)
print(again.summary())

# %% [markdown]
# ## A change in the source
# Two people change plan, and the export now writes its columns in another order and `1.0` as `1`.
# Only the two changes count: column order and number formatting are not changes.

# %%
write_people(plans={3: "pro", 7: "team"}, columns=("email", "plan", "seats", "user_id"))
SOURCE.write_text(SOURCE.read_text().replace(",1.0,", ",1,"), encoding="utf-8")
second = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE)
print(second.summary())

# %% [markdown]
# The second sync sent exactly the two changed rows (their samples are below, values masked).
# Each messageId is derived from the key and the content hashes, so re-running an interrupted sync sends the same change under the same id.

# %%
second.samples

# %% [markdown]
# ## A row that fails validation
# An export with a broken user id (a control character pasted into it, which the API refuses): that row is reported (row, column, never the value) and kept as rejected; the other rows are unaffected.

# %%
write_people(plans={3: "pro", 7: "team"}, broken=12)
broken = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE)
print(broken.summary())
[(item.key, item.status, item.reason) for item in broken.rejected]

# %% [markdown]
# Fixing the row is all the recovery needed: the next sync retries it and clears it from the rejected list.

# %%
write_people(plans={3: "pro", 7: "team", 12: "pro"})
fixed = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE)
print(fixed.summary())

# %% [markdown]
# ## Mirror deletions and the safety limit
# Five people leave the source; mirror mode would delete them, which is a quarter of the known people.
# By default a sync refuses to delete more than 10% of the known keys and sends nothing, saying how many it would delete.

# %%
write_people(plans={3: "pro", 7: "team", 12: "pro"}, missing=range(16, 21))
try:
    client.sync(SOURCE, kind=KIND, key=KEY, state=STATE, mode="mirror")
except DeletionLimitError as error:
    refusal = error
explain(refusal)

# %% [markdown]
# After checking that the five really left, `force=True` sends their `User Deleted` events.

# %%
mirrored = client.sync(SOURCE, kind=KIND, key=KEY, state=STATE, mode="mirror", force=True)
print(mirrored.summary())

# %% [markdown]
# ## Rows the API refused
# Objects are synced with their own state; here the API answers 400 to every request, so every change is refused and kept as rejected with its status.

# %%
OBJECTS_SOURCE.write_text("object_id,object_type_id,name\nacme,1,Acme\nglobex,1,Globex\n", encoding="utf-8")
with conn.with_faults(FailEveryNth(1, status=BAD_REQUEST), max_retries=0) as refusing:
    refused = refusing.sync(OBJECTS_SOURCE, kind="objects", key="object_id", state=OBJECTS_STATE)
print(refused.summary())
[(item.key, item.status, item.http_status) for item in sync_history(OBJECTS_STATE).rejected]

# %% [markdown]
# Once the API accepts again, the next run retries them under the same messageIds and the rejected list empties.

# %%
retried = client.sync(OBJECTS_SOURCE, kind="objects", key="object_id", state=OBJECTS_STATE)
print(retried.summary())
sync_history(OBJECTS_STATE).rejected

# %% [markdown]
# ## The history
# The state database keeps every run: start, end, status, mode, counts, the source and the error summary (`cio sync history people.db` prints the same).

# %%
history = sync_history(STATE)
print(history)

# %% [markdown]
# ## What arrived
# Every sent row and deletion is counted in the reports; against the sandbox the count must match exactly.

# %%
reports = [first, again, second, broken, fixed, mirrored, retried]
EXPECTED_MESSAGES = sum(report.sent for report in reports)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
