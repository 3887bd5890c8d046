with

source as (

    select * from {{ source('config', 'support_holidays') }}

),

final as (

    select
        brand_id,
        cast(holiday_date as date) as holiday_date
    from source

)

select * from final
