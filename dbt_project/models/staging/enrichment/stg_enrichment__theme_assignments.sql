with

source as (

    select * from {{ source('enrichment', 'theme_assignments') }}

),

final as (

    select
        text_hash,
        brand_id,
        theme_id,
        status as theme_status,
        cast(similarity as {{ type_double() }}) as theme_similarity,
        {{ to_utc_timestamp('assigned_at') }} as theme_assigned_at_utc
    from source

)

select * from final
