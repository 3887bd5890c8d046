with

source as (

    select * from {{ source('config', 'brands') }}

),

final as (

    select
        brand_id,
        brand_name,
        currency
    from source

)

select * from final
