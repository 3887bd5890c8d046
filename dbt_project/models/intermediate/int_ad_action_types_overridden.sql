-- Which ad actions count as a lead, a purchase or a click: the shipped ad_action_types seed, with every
-- (platform, action_type) the configuration lists replaced by the configuration's row (origin says which).
-- precedence orders the types of one family (1 first; see int_ad_insights_attributed): a configured row keeps the
-- shipped precedence of its action type; a type the seed does not ship comes after every shipped one (1000), so it
-- counts only on days the ad reports none of them.
with

shipped as (

    select * from {{ ref('ad_action_types') }}

),

overrides as (

    select * from {{ ref('stg_config__ad_action_types') }}

),

final as (

    select shipped.platform, shipped.action_type, shipped.counts_as, shipped.precedence, 'shipped' as origin
    from shipped
    where not exists (
        select 1
        from overrides
        where overrides.platform = shipped.platform
            and overrides.action_type = shipped.action_type
    )
    union all
    select
        overrides.platform,
        overrides.action_type,
        overrides.counts_as,
        coalesce(shipped.precedence, 1000) as precedence,
        'configuration' as origin
    from overrides
    left join shipped
        on overrides.platform = shipped.platform
        and overrides.action_type = shipped.action_type

)

select * from final
