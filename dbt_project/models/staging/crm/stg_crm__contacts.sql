with

source as (

    select * from {{ source('crm', 'crm_contacts') }}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by crm, contact_id
            order by updated_at desc nulls last, _ingested_at desc, _source_file desc, _source_line desc
        ) as version_rank
    from source

),

final as (

    select
        {{ dbt.concat(["crm", "':'", "contact_id"]) }} as contact_key,
        crm,
        contact_id,
        {{ to_utc_timestamp('created_at') }} as created_at_utc,
        {{ to_utc_timestamp('updated_at') }} as updated_at_utc,
        lower(lifecycle_stage) as lifecycle_stage,
        {{ to_utc_timestamp('became_lead_at') }} as became_lead_at_utc,
        {{ to_utc_timestamp('became_customer_at') }} as became_customer_at_utc,
        upper(original_source) as original_source,
        original_source_detail,
        utm_source,
        utm_medium,
        utm_campaign,
        email_hash,
        phone_hash,
        lower(social_platform) as social_platform,
        lower(social_handle) as social_handle
    from versions_ranked
    where version_rank = 1

)

select * from final
