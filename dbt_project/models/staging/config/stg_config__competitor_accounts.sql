with

source as (

    select * from {{ source('config', 'competitor_accounts') }}

),

final as (

    select
        brand_id,
        competitor_id,
        competitor_name,
        platform,
        account_id,
        handle
    from source

)

select * from final
