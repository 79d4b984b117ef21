# %% [markdown]
# # Objects and relationships
# After running this notebook you can create and update objects of several types (companies, courses, accounts), relate people to them with attributes on the relationship, and remove relationships and objects again.
#
# ## Requirements
# - The `cio` package; `00_setup_and_configuration` explains credentials.
# - Optional: `CIO_API_KEY` for the real API; without it a local sandbox starts below.
# - Against the real API, the object types must exist in the workspace (Data & Integrations, Objects); their numeric ids replace the ones below.
# - Data files: none (the companies, courses and people are made up).

# %% [markdown]
# Imports: the library and the notebook helpers.

# %%
import cio
from cio.notebook import connect, explain

# %% [markdown]
# Customer.io names object types by number; the numbers below stand for "Companies" and "Courses".
# Each object has an id that is unique within its type, and free-form attributes.

# %%
COMPANY_TYPE_ID = "1"
COURSE_TYPE_ID = "2"
ACME_ID, GLOBEX_ID, SQL_COURSE_ID = "acme", "globex", "sql-101"
COMPANIES = {
    ACME_ID: {"name": "Acme Example Ltd", "industry": "manufacturing", "seats": 40},
    GLOBEX_ID: {"name": "Globex Example Inc", "industry": "energy", "seats": 12},
}
COURSES = {SQL_COURSE_ID: {"title": "SQL basics", "level": "beginner"}}
ADMIN_ID, ANALYST_ID = "cust-4001", "cust-4002"
PEOPLE = {ADMIN_ID: "admin@example.com", ANALYST_ID: "analyst@example.com"}
NOT_A_TYPE_ID = "companies"

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## Create objects of two types
# `objects.create` sends a `group` call: the object id becomes `groupId`, and the type goes into `traits.objectTypeId`.
# It creates the object, or updates it when it already exists.

# %%
created = [client.objects.create(key, COMPANY_TYPE_ID, attrs) for key, attrs in COMPANIES.items()]
created += [client.objects.create(key, COURSE_TYPE_ID, attrs) for key, attrs in COURSES.items()]
[(result.path, result.status_code) for result in created]

# %% [markdown]
# ## Update an object
# Send only what changed; the other attributes keep their values, and `None` clears one.

# %%
updated = client.objects.update(ACME_ID, COMPANY_TYPE_ID, {"seats": 55, "industry": None})
updated.ok

# %% [markdown]
# ## Relate people to objects
# People must exist before they can be related, so they are identified first.
# A relationship can carry its own attributes (here the person's role at the company), separate from the person's and the object's.

# %%
identified = [client.people.identify(person, {"email": email}) for person, email in PEOPLE.items()]
related = [
    client.objects.create_relationship(ADMIN_ID, ACME_ID, COMPANY_TYPE_ID, {"role": "admin"}),
    client.objects.create_relationship(ANALYST_ID, ACME_ID, COMPANY_TYPE_ID, {"role": "analyst"}),
    client.objects.create_relationship(ANALYST_ID, SQL_COURSE_ID, COURSE_TYPE_ID, {"progress": 0.4}),
]
[result.ok for result in related]

# %% [markdown]
# ## A validation error: a type name instead of a type id
# Object types are numbers; passing the type's display name is a common slip.
# The error names the field and the rule, and nothing is sent.

# %%
try:
    client.objects.create("initech", NOT_A_TYPE_ID, {"name": "Initech Example"})
except cio.ValidationError as error:
    print(explain(error))

# %% [markdown]
# To recover, look up the type's number in the workspace (Data & Integrations, Objects) and pass that.

# %% [markdown]
# ## Remove a relationship, then an object
# `delete_relationship` unlinks one person from one object; both stay.
# `objects.delete` removes the object and with it every relationship to it.

# %%
unrelated = client.objects.delete_relationship(ANALYST_ID, ACME_ID, COMPANY_TYPE_ID)
removed = client.objects.delete(GLOBEX_ID, COMPANY_TYPE_ID)
unrelated.path, removed.path

# %% [markdown]
# Both are reserved track events (`Relationship Deleted` and `Object Deleted`), which is why the path is `/track`.

# %% [markdown]
# ## What arrived
# Every accepted call returned a `SendResult`; the invalid type id was never sent.

# %%
sent = [*created, updated, *identified, *related, unrelated, removed]
EXPECTED_MESSAGES = sum(len(result.message_ids) for result in sent if result.ok)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
