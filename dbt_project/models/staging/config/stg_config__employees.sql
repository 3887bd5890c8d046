with

source as (

    select * from {{ source('config', 'employees') }}

),

final as (

    select
        brand_id,
        platform,
        person_id,
        handle,
        role
    from source

)

select * from final
