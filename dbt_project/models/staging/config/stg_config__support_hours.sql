with

source as (

    select * from {{ source('config', 'support_hours') }}

),

final as (

    select
        brand_id,
        time_zone,
        cast(iso_day_of_week as integer) as iso_day_of_week,
        cast(opens_minute as integer) as opens_minute,
        cast(closes_minute as integer) as closes_minute
    from source

)

select * from final
