"""Contact data stays private when a CRM row is quarantined: emails and phones are hashed, names redacted, and no
reason quotes a value. Every table of the working database is scanned for the fixture's personal values."""

from __future__ import annotations

import duckdb
import pytest

from ingest.privacy import ContactSalt, hash_email

SALT = ContactSalt("test-salt")

PEOPLE = [  # id, created, email, phone, first name, last name
    ("1001", "2024-03-01 10:00:00", "ana.lima@example.com", "+1 (555) 010-0199", "Ana", "Lima"),
    ("1002", "last tuesday", "bruno.costa@example.org", "555-010-0288", "Bruno", "Costa"),
    ("7.8971951E+7", "2024-03-02 11:00:00", "carla.souza@example.net", "+44 20 7946 0958", "Carla", "Souza"),
    ("1004", "dora.reis@example.com", "dora.reis@example.com", "(555) 010-0377", "Dora", "Reis"),  # shifted column
]


@pytest.fixture
def contacts_file(landing):
    header = (
        "id,_fivetran_synced,property_createdate,property_email,property_phone,property_firstname,property_lastname\n"
    )
    lines = [
        f'{id_},2024-03-05 09:00:00,{created},{email},"{phone}",{first},{last}\n'
        for id_, created, email, phone, first, last in PEOPLE
    ]
    path = landing / "hubspot" / "contact.csv"
    path.parent.mkdir()
    path.write_text(header + "".join(lines))
    return path


def _personal_values() -> set[str]:
    values = set()
    for _, _, email, phone, first, last in PEOPLE:
        digits = "".join(char for char in phone if char.isdigit())
        values |= {email.lower(), phone, digits, digits[-7:], first.lower(), last.lower(), f"{first} {last}".lower()}
    return values


def test_quarantined_crm_rows_keep_contact_data_private(contacts_file, run_ingest, tmp_path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        from ingest.warehouse import ensure_raw_schema

        ensure_raw_schema(con)
        (report,) = run_ingest(con=con, salt=SALT)
        assert (report.status, report.rows_read, report.rows_accepted, report.rows_quarantined) == ("loaded", 4, 1, 3)

        quarantine = con.sql("select locator, reason, raw_record from raw.quarantine order by locator").fetchall()
        bad_date = "property_createdate: unparseable timestamp (expected ISO 8601 with a zone, epoch seconds or a"
        bad_date += " Twitter date such as Wed Oct 10 20:19:24 +0000 2018)"
        lost_id = "id went through a floating-point number (an exponent, a fraction, or beyond 2^53): the exact id is"
        lost_id += " lost; export ids as text"
        assert [(locator, reason) for locator, reason, _ in quarantine] == [
            ("row 2", bad_date),
            ("row 3", lost_id),
            ("row 4", bad_date),
        ]
        # the quarantined row still carries the contact's hash, so it can be matched to crm_contacts after a fix
        assert f"hashed:{hash_email('bruno.costa@example.org', salt=SALT.resolve())}" in quarantine[0][2]
        assert '"property_lastname": "[redacted]"' in quarantine[0][2]

        leaks = []
        tables = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
        assert ("raw", "quarantine") in tables and ("raw", "crm_contacts") in tables
        for schema, table in tables:
            for row in con.sql(f'select * from "{schema}"."{table}"').fetchall():
                text = " ".join(str(value) for value in row).lower()
                leaks += [(schema, table, value) for value in _personal_values() if value in text]
        assert leaks == []
    for reason in report.first_reasons:
        assert not any(value in reason.lower() for value in _personal_values())
