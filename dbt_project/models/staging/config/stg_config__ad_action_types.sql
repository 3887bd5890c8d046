with

source as (

    select * from {{ source('config', 'ad_action_types') }}

),

final as (

    select
        platform,
        action_type,
        counts_as
    from source

)

select * from final
