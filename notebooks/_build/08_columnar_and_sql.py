# %% [markdown]
# # Columnar data and SQL
# After running this notebook you can validate and import a Parquet dataset, a polars DataFrame and the result of a SQL query, read the type each column is sent as, and fix a CSV column whose type is not the one you meant.
#
# ## Requirements
# - The `cio` package with its `parquet`, `polars` and `duckdb` extras: `pip install 'cio[parquet,polars,duckdb]'` (all are in `make install`).
# - Optional: `CIO_API_KEY` for the real API (use a test workspace: this notebook sends about 700 made-up messages); without it a local sandbox starts below.
# - Data files: none to download; the notebook writes a small Parquet dataset and a CSV file into a temporary folder.

# %% [markdown]
# Imports: the library's readers, pyarrow to write the sample files, and polars for a DataFrame.

# %%
import os
import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from cio.io import SqlQuery, validate
from cio.notebook import connect

# %% [markdown]
# Named values: how many customers and orders to generate, the regions the dataset is partitioned by, and the event the orders become.

# %%
CUSTOMERS = 120
ORDERS_PER_CUSTOMER = 4
REGIONS = ("eu", "us")
ORDER_EVENT = "Order Placed"
START = datetime(2024, 5, 1, tzinfo=timezone.utc)
CSV_SAMPLE_ROWS = 50

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# The sample files go into a fresh temporary folder, which becomes the working directory so that paths stay short in the reports.

# %%
WORK = Path(tempfile.mkdtemp(prefix="cio-columnar-"))
os.chdir(WORK)
WORK.name.startswith("cio-columnar-")

# %% [markdown]
# ## A Parquet dataset
# Customers with typed columns: a zip code that must stay text, a nullable seat count, a decimal balance and a timezone-aware signup time.
# One customer has no user id and another an email that cannot receive mail, so validation has something to report.

# %%
def customer(number: int) -> dict[str, object]:
    return {
        "user_id": f"cust-{number:04d}" if number != 11 else None,
        "email": f"cust{number:04d}@example.com" if number != 7 else "cust-at-example",
        "zip": f"{number * 37 % 100000:05d}",
        "seats": number % 9 or None,
        "balance": Decimal(number * 125) / 100,
        "signed_up": START + timedelta(days=number),
        "region": REGIONS[number % len(REGIONS)],
    }


customers = pa.Table.from_pylist([customer(n) for n in range(CUSTOMERS)])
customers.schema

# %% [markdown]
# Write it as a hive-partitioned dataset: one folder per region, the way Spark and warehouses export tables.

# %%
pq.write_to_dataset(customers, "customers", partition_cols=["region"])
sorted(path.parent.name for path in Path("customers").rglob("*.parquet"))

# %% [markdown]
# ## Validate: the column types come from the schema
# `validate` reads the dataset by record batch and reports the type each column is sent as; nothing is guessed from text, so the zip code stays text.

# %%
checked = validate("customers", kind="identify")
print(checked.summary())
dict(checked.column_types)

# %% [markdown]
# The `region` partition became a column, the decimal balance a number, and the timestamp a date-time sent as ISO 8601 in UTC.
# The customer without a user id is a row error, with its row (a position counted from 0), column and field, never its value.
# The email that cannot receive mail is a warning: the API stores it, so it is sent, and the warning says where to look.

# %%
print(checked.table())
print(checked.warnings_table())

# %% [markdown]
# ## Import the dataset
# `client.batch.import_source` validates each row again and sends the valid ones; messageIds come from the files' content and the row, so a re-run creates no duplicates.

# %%
imported = client.batch.import_source("customers", kind="identify")
print(imported.summary())

# %% [markdown]
# ## A SQL query as the source
# DuckDB can query the same files; here each customer's signup becomes an event, computed in SQL.
# The query's own schema decides the types again.

# %%
signups = SqlQuery(
    "select user_id, 'Signed Up' as event, signed_up as timestamp, seats * 10 as credits "
    "from read_parquet('customers/**/*.parquet', hive_partitioning = true) "
    "where seats is not null order by user_id"
)
checked_sql = validate(signups, kind="track")
print(checked_sql.summary())
dict(checked_sql.column_types)

# %% [markdown]
# Import the query's rows; the query runs once to hash its result (for the messageIds) and once to send.

# %%
from_sql = client.batch.import_source(signups, kind="track")
print(from_sql.summary())

# %% [markdown]
# On the command line the same import is `cio import --sql "select ..." --kind track`, with `--database FILE` to query a DuckDB database.

# %% [markdown]
# ## A polars DataFrame
# Orders built in polars go in as they are; a constant gives every row the event name.

# %%
orders = pl.DataFrame(
    {
        "user_id": [f"cust-{n % CUSTOMERS:04d}" for n in range(CUSTOMERS * ORDERS_PER_CUSTOMER)],
        "order_id": [f"o-{n:05d}" for n in range(CUSTOMERS * ORDERS_PER_CUSTOMER)],
        "total": [round(5 + n * 0.75, 2) for n in range(CUSTOMERS * ORDERS_PER_CUSTOMER)],
    }
)
from_polars = client.batch.import_source(orders, kind="track", constants={"event": ORDER_EVENT})
print(from_polars.summary())

# %% [markdown]
# ## CSV: one type per column, and how to change it
# A CSV file has no schema, so each column gets one type, chosen from its first 1,000 rows and reported.
# This export writes a seat count that later says `unknown`; a sample of 50 rows keeps the example short.

# %%
rows = [f"csv-{n:03d},{n:05d},{n % 5}" for n in range(1, 60)] + ["csv-060,00060,unknown"]
Path("export.csv").write_text("user_id,zip,seats\n" + "\n".join(rows) + "\n", encoding="utf-8")
guessed = validate("export.csv", kind="identify", sample_rows=CSV_SAMPLE_ROWS)
print(dict(guessed.column_types))
print(guessed.table())

# %% [markdown]
# The error names its fix: read `seats` as text, or clean the export.
# With the override every row is valid, and every row sends the same type.

# %%
fixed = validate("export.csv", kind="identify", types={"seats": "string"})
print(fixed.summary())
dict(fixed.column_types)

# %% [markdown]
# ## What arrived
# Every valid row of the three imports was sent once; against the sandbox the count must match exactly.

# %%
EXPECTED_MESSAGES = imported.sent + from_sql.sent + from_polars.sent
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
