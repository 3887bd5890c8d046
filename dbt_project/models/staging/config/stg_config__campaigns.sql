with

source as (

    select * from {{ source('config', 'campaigns') }}

),

final as (

    select
        brand_id,
        utm_campaign,
        campaign_name,
        channel
    from source

)

select * from final
