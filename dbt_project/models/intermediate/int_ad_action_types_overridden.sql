-- Which ad actions count as a lead, a purchase or a click: the shipped ad_action_types seed, with every
-- (platform, action_type) the configuration lists replaced by the configuration's row (origin says which).
with

shipped as (

    select * from {{ ref('ad_action_types') }}

),

overrides as (

    select * from {{ ref('stg_config__ad_action_types') }}

),

final as (

    select shipped.platform, shipped.action_type, shipped.counts_as, 'shipped' as origin
    from shipped
    where not exists (
        select 1
        from overrides
        where overrides.platform = shipped.platform
            and overrides.action_type = shipped.action_type
    )
    union all
    select platform, action_type, counts_as, 'configuration' as origin
    from overrides

)

select * from final
