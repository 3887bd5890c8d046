with

source as (

    select * from {{ source('crm', 'crm_form_submissions') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by crm, contact_id, form_id, submitted_at
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["crm", "':'", "contact_id", "':'", "coalesce(form_id, '')", "':'",
            dbt.cast("submitted_at", dbt.type_string())]) }} as form_submission_key,
        crm,
        contact_id,
        {{ to_utc_timestamp('submitted_at') }} as submitted_at_utc,
        form_id,
        conversion_id,
        page_url,
        title as form_title
    from loads_ranked
    where load_rank = 1

)

select * from final
