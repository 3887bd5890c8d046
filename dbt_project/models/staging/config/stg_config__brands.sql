with

source as (

    select * from {{ source('config', 'brands') }}

),

final as (

    select
        brand_id,
        brand_name
    from source

)

select * from final
