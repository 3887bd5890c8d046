with

source as (

    select * from {{ source('crm', 'crm_forms') }}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by crm, form_id
            order by updated_at desc nulls last, _ingested_at desc, _source_file desc, _source_line desc
        ) as version_rank
    from source

),

final as (

    select
        {{ dbt.concat(["crm", "':'", "form_id"]) }} as form_key,
        crm,
        form_id,
        name as form_name,
        form_type,
        {{ to_utc_timestamp('created_at') }} as created_at_utc,
        {{ to_utc_timestamp('updated_at') }} as updated_at_utc
    from versions_ranked
    where version_rank = 1

)

select * from final
