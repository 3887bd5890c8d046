"""HubSpot reader on the Fivetran HubSpot connector tables (tests/fixtures/hubspot, from fivetran/dbt_hubspot)."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.privacy import hash_email, hash_phone

UTC = UTC


def test_contacts_from_the_fivetran_sample(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "hubspot/contact_data.csv")
    contacts = result.frames["crm_contacts"]
    first = contacts.row(0, named=True)
    assert (first["crm"], first["contact_id"]) == ("hubspot", "78971951")
    assert first["created_at"] == datetime(2021, 4, 1, 17, 32, 47, tzinfo=UTC)
    assert first["updated_at"] == datetime(2021, 4, 2, 11, 16, 5, tzinfo=UTC)  # no lastmodifieddate: synced time
    # the sample's emails are already masked tokens; they are hashed all the same, never stored as given
    assert first["email_hash"] == hash_email("fcb67ef339b691956cc85fa12be6490c")
    assert "fcb67ef339b691956cc85fa12be6490c" not in contacts.write_csv()
    assert result.rows_read == result.rows_accepted == 22


def test_contacts_with_the_optional_property_columns(read_export, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "id,_fivetran_synced,property_email,property_phone,property_createdate,property_lastmodifieddate,"
        "property_lifecyclestage,property_hs_lifecyclestage_lead_date,property_hs_lifecyclestage_customer_date,"
        "property_hs_analytics_source,property_hs_analytics_source_data_1,property_utm_source,property_utm_medium,"
        "property_utm_campaign,property_twitterhandle\n"
        "901,2024-11-08 10:00:00, Jo.Bean@Example.com ,+1 (555) 010-0199,2024-11-04 15:00:00,2024-11-08 09:00:00,"
        "Customer,2024-11-04 15:00:00,2024-11-08 09:00:00,SOCIAL_MEDIA,Twitter,x,social,nw_autumn_blend,@BeanLover_Jo\n"
    )
    contact = read_export(path).frames["crm_contacts"].row(0, named=True)
    assert contact["lifecycle_stage"] == "customer"
    assert contact["became_lead_at"] == datetime(2024, 11, 4, 15, tzinfo=UTC)
    assert contact["became_customer_at"] == datetime(2024, 11, 8, 9, tzinfo=UTC)
    assert (contact["original_source"], contact["original_source_detail"]) == ("SOCIAL_MEDIA", "Twitter")
    assert (contact["utm_source"], contact["utm_medium"], contact["utm_campaign"]) == ("x", "social", "nw_autumn_blend")
    assert (contact["social_platform"], contact["social_handle"]) == ("x", "beanlover_jo")
    assert contact["email_hash"] == hash_email("jo.bean@example.com")
    assert contact["phone_hash"] == hash_phone("15550100199")
    assert "example.com" not in str(contact) and "0199" not in str(contact)


def test_form_submissions_keep_the_page_url_whole(read_export, fixtures_dir, tmp_path):
    sample = read_export(fixtures_dir / "hubspot/contact_form_submission_data.csv").frames["crm_form_submissions"]
    first = sample.row(0, named=True)
    assert (first["contact_id"], first["form_id"], first["title"]) == ("001", "123", "Newsletter Signup")  # exact ids
    assert first["submitted_at"] == datetime(2023, 11, 1, 10, 20, tzinfo=UTC)

    path = tmp_path / "forms.csv"
    path.write_text(
        "timestamp,form_id,contact_id,conversion_id,page_id,page_url,portal_id,title,_fivetran_synced\n"
        "2024-11-04 15:00:00,123,901,9,1,https://northwind.example/autumn?utm_source=x&utm_medium=social"
        "&utm_campaign=nw_autumn_blend,1,Autumn,2024-11-05 00:00:00\n"
    )
    tagged = read_export(path).frames["crm_form_submissions"].row(0, named=True)
    # the UTM tags are read from it in dbt (int_contacts_attributed), their one home
    assert (
        tagged["page_url"]
        == "https://northwind.example/autumn?utm_source=x&utm_medium=social&utm_campaign=nw_autumn_blend"
    )


def test_deals_stages_and_deal_contacts(read_export, fixtures_dir):
    deals = read_export(fixtures_dir / "hubspot/deal_data.csv").frames["crm_deals"]
    assert deals.height == 44 and deals["is_deleted"].to_list().count(False) == deals.height
    assert deals["created_at"].null_count() == 0

    stages = read_export(fixtures_dir / "hubspot/deal_pipeline_stage_data.csv").frames["crm_deal_stages"]
    won = stages.row(0, named=True)
    assert (won["is_closed"], won["is_closed_won"]) == (True, True)
    assert stages.row(1, named=True)["is_closed_won"] is False

    links = read_export(fixtures_dir / "hubspot/deal_contact_data.csv").frames["crm_deal_contacts"]
    assert links.row(0, named=True) == {
        "crm": "hubspot",
        "deal_id": "86133127",
        "contact_id": "1499466",
        "_source_line": 1,
    }
