# %% [markdown]
# # Sending from Spark
# After running this notebook you can send a Spark DataFrame to Customer.io from the executors, read the result of every row, keep several tasks within one rate budget, recover from a failed send, and re-run a job without creating duplicates.
#
# ## Requirements
# - The `cio` package with its Spark extra (`pip install 'cio[spark]'`: pyspark, pyarrow, pandas) and Java 17 for Spark.
# - Spark runs in local mode here, bound to 127.0.0.1; on Databricks use the `spark` session you already have (see `docs/spark.md`).
# - Optional: `CIO_API_KEY` for the real API (use a test workspace: this notebook sends about 2,100 made-up people); without it a local sandbox starts below.
# - Data files: none, the rows are generated in the notebook.

# %% [markdown]
# Imports: the Spark helpers of `cio`, the rate-share rule, the notebook helpers, and a sandbox fault.

# %%
import cio.spark
from cio.io import rate_share
from cio.notebook import connect
from cio.sandbox import Outage

# %% [markdown]
# Named values: the size of the made-up table, how Spark splits it, and the run id that names this load.

# %%
PEOPLE = 2000
LATE_PEOPLE = 100
OUTAGE_SECONDS = 60
PARTITIONS = 4
SPARK_THREADS = 2
RUN_ID = "notebook-10-people"
BROKEN_ROWS = [("   ", "blank@example.com", "pro"), (None, "nobody@example.com", "free")]

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
conn

# %% [markdown]
# Start Spark in local mode with two task slots: it binds 127.0.0.1 only and needs no network.
# Spark's JVM prints a few start-up lines of its own on stderr; they are harmless.

# %%
spark = cio.spark.local_session(SPARK_THREADS)
spark.version

# %% [markdown]
# ## A DataFrame of people
# Generated rows stand in for a table: a user id, an email and a plan, spread over four partitions.
# Two broken rows are added on purpose: one whose user id is only spaces, one without a user id.

# %%
generated = spark.range(PEOPLE, numPartitions=PARTITIONS).selectExpr(
    "concat('spark-', id) as user_id",
    "concat('person', id, '@example.com') as email",
    "if(id % 3 = 0, 'pro', 'free') as plan",
)
broken = spark.createDataFrame(BROKEN_ROWS, "user_id string, email string, plan string")
people = generated.unionByName(broken)
people.count()

# %% [markdown]
# ## Send it
# `cio.spark.send` validates, packs and sends each partition inside its task, and returns a DataFrame with one result per row.
# The result is lazy, so it is cached here: every later look reuses it instead of sending again.

# %%
results = cio.spark.send(people, kind="identify", settings=conn.client.settings, run_id=RUN_ID).cache()
results.groupBy("status").count().orderBy("status").show()

# %% [markdown]
# The two broken rows are `invalid`: nothing was sent for them, and every other row was acknowledged.
# Their `reason` names the column and field at fault without showing the value, and `key` says which row it was.

# %%
results.where("status = 'invalid'").select("key", "error_code", "reason").show(truncate=False)

# %% [markdown]
# To recover, fix those rows at the source and send them with the same run id; rows sent before are not repeated.

# %% [markdown]
# ## One rate budget for all tasks
# The workspace accepts about 3000 requests per 3 seconds, and every task draws on it.
# Each of the tasks that run at once gets an equal share: here two slots, so each task may make this many requests per window.

# %%
rate_share(conn.client.settings.rate_limit, SPARK_THREADS)

# %% [markdown]
# ## Re-running the job
# A retried or speculative task, or a re-run of the whole job, sends the same rows again.
# Each messageId comes from the row's content and the run id, so a second run with the same run id repeats exactly the same ids, and Customer.io drops the duplicates.

# %%
again = cio.spark.send(people, kind="identify", settings=conn.client.settings, run_id=RUN_ID).cache()
same_ids = again.join(results, "message_id").count()
sent = results.where("status = 'sent'").count()
print(f"{same_ids} of {sent} messageIds of the second run equal those of the first")

# %% [markdown]
# ## When the API fails
# A hundred late sign-ups are sent while the API answers 503, with retries turned off so the failure shows at once.
# Valid rows that were not acknowledged get the status `failed`, with the error class and HTTP status in `reason`.

# %%
late = spark.range(PEOPLE, PEOPLE + LATE_PEOPLE, numPartitions=SPARK_THREADS).selectExpr(
    "concat('spark-', id) as user_id", "concat('person', id, '@example.com') as email"
)
with conn.with_faults(Outage(OUTAGE_SECONDS), max_retries=0) as down:
    during = cio.spark.send(late, kind="identify", settings=down.settings, run_id=RUN_ID).cache()
    during.groupBy("status", "error_code", "reason").count().show(truncate=False)

# %% [markdown]
# To recover, send the same rows again with the same run id once the API is back: each row keeps its messageId, so none can arrive twice.

# %%
after = cio.spark.send(late, kind="identify", settings=conn.client.settings, run_id=RUN_ID).cache()
after.groupBy("status").count().show()

# %% [markdown]
# ## What arrived
# Only the rows with status `sent` became messages, and the second run added no new messageId.
# Against the sandbox the count of distinct messageIds must match exactly.

# %%
EXPECTED_MESSAGES = sent + after.where("status = 'sent'").count()
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Stop Spark, then close the client (and the sandbox, if one was started).

# %%
spark.stop()
conn.close()
