with

source as (

    select * from {{ source('config', 'response_targets') }}

),

final as (

    select
        brand_id,
        platform,
        message_kind,
        cast(target_business_minutes as integer) as target_business_minutes
    from source

)

select * from final
