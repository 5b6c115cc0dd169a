"""Everything that talks to Sendcloud; the only package that imports httpx.

Sendcloud's v3 Integrations API, shop-order-status endpoints (documents vendored under
``schemas/sendcloud/``)::

    connect     options + environment -> a ready SendcloudClient (or the sandbox's)
    client      SendcloudClient: the four calls, one request at a time
      urls        where the key pair may be sent (https, or http to loopback)
      auth        Authorization: HTTP Basic, or OAuth2 via oauth2 (Authlib, one token per run)
      pacing      even spacing under the rate limits; the retry policy
      retries     repeating a failed attempt within the budget (tenacity)
      failures    every failure as a reconciler.errors exception, with the message a user reads
      bodies      the request and response bodies as pydantic models
      decoding    JSON, JSON:API error documents, contract checks (no partial reads)
      stats       counters and the --debug exchange log (Authorization redacted)
    live        client -> LiveState, one integration or many at once
    options     the options every command shares
"""
