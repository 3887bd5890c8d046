with

source as (

    select * from {{ source('config', 'owned_accounts') }}

),

final as (

    select
        brand_id,
        platform,
        account_id,
        handle
    from source

)

select * from final
