# %% [markdown]
# # Batch operations
# After running this notebook you can build mixed batches, know what happens at the 32 KB and 500 KB limits, send any number of messages with the bulk sender and read its report, import a CSV that has bad rows, resume an interrupted import without duplicates, and watch retries and dead letters handle injected faults.
#
# ## Requirements
# - The `cio` package with `matplotlib` for the plots (both are in `make install`).
# - Optional: `CIO_API_KEY` for the real API (use a test workspace: this notebook sends about 1,300 made-up messages); without it a local sandbox starts below.
# - The fault-injection sections always use a local sandbox, because the real API cannot be told to fail.
# - Data files: `data/customers.csv` (40 people, three of them with deliberate errors), relative to this folder.

# %% [markdown]
# Imports: the library, its bulk and import helpers, the sandbox faults, and matplotlib.

# %%
import tempfile
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt

import cio
from cio.batching import batch_body, pack
from cio.io import validate_csv
from cio.models import Batch, Identify, Page, Track
from cio.notebook import connect, explain
from cio.sandbox import ConnectionReset, FailEveryNth, Outage, RateLimitWindow

# %% [markdown]
# Named values: the size of the generated workload, the documented limits, and the CSV with its column types.

# %%
PEOPLE = 400
PLANS = ("free", "pro", "team")
EXPORT_EVENT, PRICING_PAGE = "Report Exported", "Pricing"
WIDE_EXPORTS, WIDE_PROPERTY_BYTES = 30, 20_000
OVERSIZED_PROPERTY_BYTES = 40_000
BATCH_LIMIT_BYTES = 500_000  # the library reads the documented "500 KB" as 500,000 bytes
BYTES_PER_KB = 1000
CUSTOMERS_CSV = Path("data/customers.csv")
CSV_TYPES = {"seats": "integer"}
LANES = 4
RETRIED_CALLS = 12
FLOW_EVENTS = 60_000  # enough requests for a chart of delivery over time

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## Build a mixed batch
# A batch may mix every kind of message; here each person gets an identify, a track and a page.
# The function builds the three messages for one person, so the whole workload is one comprehension.

# %%
def messages_for(number: int) -> list[cio.models.Message]:
    user_id = f"bulk-{number:05d}"
    traits = {"email": f"bulk{number:05d}@example.com", "plan": PLANS[number % len(PLANS)]}
    return [
        Identify(user_id=user_id, traits=traits),
        Track(user_id=user_id, event=EXPORT_EVENT, properties={"rows": number * 10}),
        Page(user_id=user_id, name=PRICING_PAGE, properties={"path": "/pricing"}),
    ]


mixed = [message for number in range(PEOPLE) for message in messages_for(number)]
Counter(message.type for message in mixed)

# %% [markdown]
# ## The 32 KB limit per message
# The API takes at most 32 KB per message and silently drops larger ones, so `cio` checks the size when it serializes.
# A message with a 40 KB property fails that check, and the error says how big it was and what the limit is.

# %%
oversized = Track(user_id="bulk-00000", event=EXPORT_EVENT, properties={"csv": "x" * OVERSIZED_PROPERTY_BYTES})
try:
    oversized.to_json()
except cio.PayloadTooLargeError as error:
    print(explain(error))
    print("size", error.size, "limit", error.limit)

# %% [markdown]
# To recover, keep bulky data out of events: store the file elsewhere and send a link or an id.

# %% [markdown]
# ## The 500 KB limit per request
# Thirty messages of 20 KB each are fine one by one, but together they exceed the 500 KB a `/batch` request may carry.
# Building that request by hand fails the same way, with the advice to let the bulk sender split it.

# %%
wide = [
    Track(user_id=f"bulk-{n:05d}", event=EXPORT_EVENT, properties={"csv": "y" * WIDE_PROPERTY_BYTES})
    for n in range(WIDE_EXPORTS)
]
try:
    Batch(batch=wide).to_json()
except cio.PayloadTooLargeError as error:
    print(explain(error))

# %% [markdown]
# The bulk sender packs messages greedily into requests that stay under the limit.
# `cio.batching.pack` is that packer; the plot shows the request sizes it makes for all the messages built so far.

# %%
bodies = [batch_body(batch) for batch in pack(message.to_json() for message in [*mixed, *wide])]
numbers = range(1, len(bodies) + 1)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(numbers, [len(body) / BYTES_PER_KB for body in bodies], label="request body")
ax.axhline(BATCH_LIMIT_BYTES / BYTES_PER_KB, color="red", linestyle="--", label="500 KB limit")
ax.set_xticks(numbers)
ax.set_title("Request sizes after packing into /batch bodies")
ax.set_xlabel("request number")
ax.set_ylabel("body size (kB, 1,000 bytes)")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# Every request is under the line: full requests sit just below it and the last one holds the remainder.
# With several workers the sender packs one stream per worker, so its real requests are these or smaller.

# %% [markdown]
# ## The bulk sender
# `client.batch.send` takes any iterable (a list, a generator of millions), validates and packs it, and sends with a few worker threads.
# `progress=True` shows a progress bar; the returned report counts what was sent, failed and rejected.
# The oversized message is added on purpose, to show how a rejected message is reported.

# %%
report = client.batch.send([*mixed, *wide, oversized], progress=True)
report

# %% [markdown]
# (The bar moves while the cell runs in Jupyter; a static copy of the notebook may show it at its first frame, and the report above has the final numbers.)

# %% [markdown]
# All messages but one were delivered; the oversized one was rejected before sending, and never held up the others.
# Each failure says where it was in the input and why:

# %%
for failure in report.failures:
    print(failure)

# %% [markdown]
# ## Importing a CSV with row errors
# Validate first: it reads every row and reports each problem by row and column, without sending anything.
# `CSV_TYPES` asks for `seats` to be a whole number, so a text value there becomes an error rather than a string.

# %%
validation = validate_csv(CUSTOMERS_CSV, kind="identify", types=CSV_TYPES)
print(validation)
print(validation.table())

# %% [markdown]
# The result also counts every error by column and type (`validation.tally`), which says where to look first in a large file.
# Here it is as a chart (the result's HTML view in Jupyter draws the same one, and `cio validate --report page.html` writes it to a page).

# %%
labels = [f"{column or '(no column)'}: {kind}" for column, kind in validation.tally]
fig, ax = plt.subplots(figsize=(7, 2.2))
ax.barh(labels, list(validation.tally.values()), color="tab:red")
ax.invert_yaxis()
ax.xaxis.get_major_locator().set_params(integer=True)
ax.set_title("Row errors in customers.csv by column and type")
ax.set_xlabel("errors (rows)")
ax.set_ylabel("column: error type")
plt.show()

# %% [markdown]
# Rows count as a spreadsheet does (the header is row 1), so row 8 is the eighth line of the file.
# The messages never quote the cell values, which may be personal data.
# Either fix those rows at the source, or import now: invalid rows are skipped and reported, valid rows go through.

# %% [markdown]
# ## An interrupted import, then a resume
# An import with a `state` file records every row the API acknowledged.
# Here the first run meets an outage-like fault (every second request fails) with retries turned off, as a job that is cut short would.
# The state file lives in a temporary folder so every run of this notebook starts fresh.
# (Against the real API this first run goes to a temporary local sandbox, so the rows it delivered reach only that sandbox.)

# %%
state_file = Path(tempfile.mkdtemp()) / "customers.import-state"
with conn.with_faults(FailEveryNth(2, status=503), max_retries=0) as flaky:
    first_run = flaky.batch.import_csv(
        CUSTOMERS_CSV, kind="identify", types=CSV_TYPES, state=state_file, workers=LANES
    )
first_run

# %% [markdown]
# Part of the valid rows went through and the rest failed; the state file knows which is which.
# Running the same import again with the same state file skips the acknowledged rows and sends only the rest.

# %%
second_run = client.batch.import_csv(
    CUSTOMERS_CSV, kind="identify", types=CSV_TYPES, state=state_file, workers=LANES
)
print(second_run)
print("skipped == first run's sent:", second_run.skipped == first_run.sent)

# %% [markdown]
# Between them the two runs delivered each valid row once: rows also carry messageIds derived from the file and row number, so even a re-run without a state file would not create duplicates.

# %% [markdown]
# ## Fault handling, live
# The client retries what is worth retrying: 5xx answers, 429 with `Retry-After`, dropped connections and timeouts.
# Below, every third request fails with 503 and every fifth connection is reset; the calls still succeed, and `attempts` shows the retries.

# %%
with conn.with_faults(FailEveryNth(3, status=503), ConnectionReset(every_nth=5)) as flaky:
    retried = [flaky.people.identify(f"retry-{n:02d}", {"plan": "pro"}) for n in range(RETRIED_CALLS)]
[result.attempts for result in retried]

# %% [markdown]
# Calls with two or three attempts met a fault and were retried; every call succeeded in the end, and the retries waited with backoff.

# %% [markdown]
# A rate limit answers 429 with a `Retry-After` header; the client waits that long and tries again.

# %%
with conn.with_faults(RateLimitWindow(0.5, retry_after=1)) as limited:
    waited = limited.events.track("retry-00", EXPORT_EVENT, {"rows": 1})
waited.attempts

# %% [markdown]
# ## Delivery over time
# A report also records, interval by interval, how many messages were acknowledged, how many failed and how many requests were retried (`report.timeline`).
# Here 60,000 small events go through a sandbox that answers every fourth request with 503, so the retries show.

# %%
flow = (
    {"type": "track", "userId": f"flow-{n % PEOPLE:05d}", "event": EXPORT_EVENT, "properties": {"rows": n}}
    for n in range(FLOW_EVENTS)
)
with conn.with_faults(FailEveryNth(4, status=503)) as flaky:
    flowing = flaky.batch.send(flow, workers=LANES)
print(flowing)

# %% [markdown]
# The chart below is drawn from `flowing.timeline`; displaying the report in Jupyter shows the same chart, and `cio import --report page.html` writes it to a page.

# %%
middles = [point.start + point.seconds / 2 for point in flowing.timeline]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(middles, [point.rate for point in flowing.timeline], marker="o", label="delivered (events/s)")
ax.plot(middles, [point.failed / point.seconds for point in flowing.timeline], label="failed (events/s)")
retried_axis = ax.twinx()
retried_axis.bar(middles, [point.retries for point in flowing.timeline], width=flowing.timeline[0].seconds * 0.8, color="tab:orange", alpha=0.4, label="retried requests")
retried_axis.set_ylabel("retried requests per interval")
ax.set_title("Bulk delivery through a sandbox failing every fourth request")
ax.set_xlabel("time since start (s)")
ax.set_ylabel("events per second")
ax.set_zorder(retried_axis.get_zorder() + 1)  # lines in front of the bars
ax.patch.set_visible(False)
handles = ax.get_legend_handles_labels()[0] + retried_axis.get_legend_handles_labels()[0]
ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
plt.show()

# %% [markdown]
# Throughput dips where a lane waited (with backoff) to retry a request, while the other lanes kept sending.
# Nothing failed: each 503 was retried and the retry went through, so every event arrived once.

# %% [markdown]
# ## When retries run out: dead letters and replay
# During a long outage retries are eventually spent, and the bulk sender puts what it could not deliver into dead letters instead of losing it.
# Retries are turned off here to make that happen at once.

# %%
outage_batch = [message for number in range(PEOPLE, PEOPLE + 20) for message in messages_for(number)]
with conn.with_faults(Outage(60), max_retries=0) as down:
    during_outage = down.batch.send(outage_batch)
print(during_outage)
print("dead letters kept:", len(during_outage.dead_letters))

# %% [markdown]
# To recover, send the dead letters again once the API is back; each keeps its original messageId, so a message that did arrive cannot be counted twice.
# (`cio replay FILE` does the same for dead letters written to a file with `dead_letters="failed.jsonl"`.)

# %%
replayed = client.batch.send(letter.payload() for letter in during_outage.dead_letters)
print(replayed)

# %% [markdown]
# ## What arrived
# Every accepted message is counted in a report or a `SendResult`; rejected, invalid and failed messages are not.
# Against the sandbox the count must match exactly.

# %%
reports = [report, first_run.delivery, second_run.delivery, flowing, during_outage, replayed]
EXPECTED_MESSAGES = sum(r.sent for r in reports) + len(retried) + waited.ok
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
