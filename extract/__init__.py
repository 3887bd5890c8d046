"""Pull interactions from the platforms' APIs into the landing folder (a plain library: no Dagster here).

The pattern every extractor follows (``x``, ``youtube``, ``reddit``, ``bluesky``; Meta Graph, Meta Ads and HubSpot
would be one module each, the same way):

1. A module with ``CREDENTIALS`` (the variable names it needs, read by ``extract.config.Secrets``), ``LIMITS`` (its
   rate-limit headers and quota answers: ``extract.limits``) and ``extract(setup, extraction, accounts)``.
2. It asks ``extraction.client(base_url, headers)`` for dlt's REST client on a retrying, throttled session (timeouts,
   backoff, rate-limit windows, the request budget), reads each account, channel, subreddit or query inside
   ``extraction.stream(name)`` (it fails alone, named), builds paths with ``segment`` (ids and handles encoded), walks
   listings with ``extraction.paged`` (pages landed as they arrive, the cursor saved in ``extract.state`` after each
   page and what it led to) and fetches single documents with ``extraction.single`` + ``extraction.land``.
3. It lands only what an ``ingest/readers`` module already detects, exactly as the API answered; ingest, quarantine,
   the manifest and idempotency stay the one path into the warehouse.
4. When a pass completes it calls ``extraction.finish(account, stream, watermark)``: the next run starts there, minus
   the look-back.
"""
