with

source as (

    select * from {{ source('enrichment', 'themes') }}

),

final as (

    select
        theme_id,
        brand_id,
        label as theme_label,
        model_version,
        {{ to_utc_timestamp('created_at') }} as theme_created_at_utc
    from source

)

select * from final
