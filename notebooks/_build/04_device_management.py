# %% [markdown]
# # Device management
# After running this notebook you can add, update and delete the push devices of a person, and you know the rules a device token has to follow.
#
# ## Requirements
# - The `cio` package; `00_setup_and_configuration` explains credentials.
# - Optional: `CIO_API_KEY` for the real API; without it a local sandbox starts below.
# - Data files: none (the tokens below are made-up placeholders, not real APNs or FCM tokens).

# %% [markdown]
# Imports: the library and the notebook helpers.

# %%
import cio
from cio.notebook import connect, explain

# %% [markdown]
# One person with two devices, an iPhone and an Android tablet, plus the attributes stored on each device.

# %%
USER_ID = "cust-5005"
USER_EMAIL = "mobile.user@example.com"
IOS_TOKEN = "apns-placeholder-token-0001"
ANDROID_TOKEN = "fcm-placeholder-token-0002"
ROTATED_IOS_TOKEN = "apns-placeholder-token-0003"
IOS, ANDROID = "ios", "android"
APP_ATTRIBUTES = {"app_version": "3.2.0", "push_enabled": True}
UNSUPPORTED_PLATFORM = "windows"

# %% [markdown]
# Connect: the real API if `CIO_API_KEY` is configured, otherwise a local sandbox (the output says which).

# %%
conn = connect()
client = conn.client
conn

# %% [markdown]
# ## Add devices
# A device belongs to a person, so the person is identified first.
# `devices.add` sends a `Device Created or Updated` event with the token in `context.device.token` and the platform in `context.device.type`; attributes travel as properties.

# %%
person = client.people.identify(USER_ID, {"email": USER_EMAIL})
added = [
    client.devices.add(USER_ID, IOS_TOKEN, IOS, APP_ATTRIBUTES),
    client.devices.add(USER_ID, ANDROID_TOKEN, ANDROID, APP_ATTRIBUTES),
]
[(result.path, result.status_code) for result in added]

# %% [markdown]
# ## Update a device
# The token identifies the device: sending the same token again updates that device instead of adding one.
# Here the person turned push notifications off on the tablet.

# %%
updated = client.devices.update(USER_ID, ANDROID_TOKEN, attributes={"push_enabled": False})
updated.ok

# %% [markdown]
# ## Token rules
# - A token is required and cannot be blank: it is how the device is found again.
# - The platform, when given, is `ios` or `android`.
# - A person can have several devices, one per token.
# - Push services rotate tokens; when the app reports a new one, add the new token and delete the old one, otherwise pushes go to a dead token.
#
# The next cell breaks the first two rules and shows how each error reads.

# %%
for token, platform in ((None, IOS), (IOS_TOKEN, UNSUPPORTED_PLATFORM)):
    try:
        client.devices.add(USER_ID, token, platform)
    except cio.ValidationError as error:
        print(explain(error), end="\n\n")

# %% [markdown]
# Both were refused before sending; to recover, pass the token the app reported and one of the two platforms.

# %% [markdown]
# ## Rotate a token and delete a device
# The iPhone reported a new token, so the new one is added and the old one deleted.

# %%
rotated = client.devices.add(USER_ID, ROTATED_IOS_TOKEN, IOS, APP_ATTRIBUTES)
deleted = client.devices.delete(USER_ID, IOS_TOKEN)
rotated.ok, deleted.ok

# %% [markdown]
# ## What arrived
# Every accepted call returned a `SendResult`; the two invalid devices were never sent.

# %%
sent = [person, *added, updated, rotated, deleted]
EXPECTED_MESSAGES = sum(len(result.message_ids) for result in sent if result.ok)
print(conn.check_received(EXPECTED_MESSAGES))

# %% [markdown]
# Close the client (and the sandbox, if one was started).

# %%
conn.close()
