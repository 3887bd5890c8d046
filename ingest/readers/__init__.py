"""Export readers. Importing this package registers every reader module in it (see ingest.base.register).

Shared helpers, by concern (modules that register nothing):

- ``text_files``: decoding (BOM, UTF-16, Latin-1 fallback), lines, JSON lines, whole JSON documents;
- ``json_pages``: API responses: ``ChunkBuilder`` (each source record accepted with its rows, or quarantined; chunks
  for streams of pages) and ``RecordDocument`` (the same for a document read whole, which the Graph, YouTube, Reddit
  and Bluesky readers subclass), ``sample_document``, ``unreadable_document``, Graph API page shapes;
- ``csv_tables``: CSV read as strings (a malformed row is quarantined alone), tables recognised by header
  (``csv_table_format``), reason expressions;
- ``csv_records``: a CSV file made ready for polars in pieces (UTF-8 checked or transcoded, records over the size
  limit cut out unread);
- ``timestamps``: ``parse_utc`` and its column forms ``utc_column`` / ``bad_timestamp`` (one parser, same inputs);
- ``ids``: exact ids (``id_text``, ``exact_id``, ``mangled_id``: ``N.0`` is fine up to 2^53) and counts;
- ``links``: @handles, links, UTM tags; ``quarantine``: entries and locators (reasons never quote values).

Recipe for a new JSON API reader (copy it into ``ingest/readers/<platform>.py``; ``reddit.py`` is a complete one)::

    FORMAT, PLATFORM = "acme_api", "acme"

    def sniff(sample: Sample) -> bool:  # by content, never by file name; an empty page is still this API's
        document = sample_document(sample)
        return isinstance(document, dict) and isinstance(document.get("posts"), list)

    def read(path: Path) -> Iterator[ReadResult]:
        try:
            posts = load_json(path)["posts"]
        except RECORD_ERRORS as error:  # the reason is error_reason(error): never a parser's text, which may quote
            yield unreadable_document(FORMAT, path, error)
            return
        chunk = ChunkBuilder(FORMAT)
        for index, post in enumerate(posts):
            try:
                row = {
                    "platform": PLATFORM,
                    "interaction_id": id_text(post["id"]),
                    "interaction_type": "post",
                    "created_at": parse_utc(post["created"]),
                    "text": post.get("text"),  # the loader adds text_hash, one definition for every reader
                    "_source_line": index + 1,
                }
            except RECORD_ERRORS as error:  # any bad value fails its record alone, never the file
                chunk.reject(f"$.posts[{index}]", error_reason(error), post)
                continue
            chunk.accept({"interactions": [row]})
        if (result := chunk.flush()) is not None:  # None when the page held no records
            yield result

    register(ExportFormat(FORMAT, "Acme API page ({'posts': [...]})", sniff, read))

Every source record is accepted or rejected exactly once, so ``rows_read = rows_accepted + rows_quarantined`` holds.
A reason never quotes a value: raise ``ingest.base.RecordProblem`` with words that name the field and the problem, and
turn any exception into a reason with ``ingest.base.error_reason`` (a parser's or database's message becomes its class
and a fixed description). ``RecordDocument.add`` and ``json_pages.checked_row`` refuse a value of the wrong type for
its column (a JSON object where text is expected), so it fails its record, not the file's frame. A CSV reader gets the
rows that parse from ``csv_tables.read_csv_table`` and adds the others with ``CsvTable.into``; a contact source
passes its allow-list (``keep``) so its quarantined rows keep only the columns the warehouse needs.
A layout the warehouse knows but does not use is registered with ``ingest.base.register_skipped`` and why (for a CSV
table, ``csv_tables.skip_csv_table``), so its files are reported as skipped rather than unrecognised.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
