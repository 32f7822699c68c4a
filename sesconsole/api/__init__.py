"""The HTTP API, wire-compatible with Tencent Cloud API 3.0 (`ses`, 2020-10-02).

`signing` checks TC3-HMAC-SHA256 exactly as the official SDK signs,
`registry` holds the actions and their parameter schemas, `endpoint` is the
view. The actions themselves live in each app's `api_actions.py` and call the
same services as the console.
"""
