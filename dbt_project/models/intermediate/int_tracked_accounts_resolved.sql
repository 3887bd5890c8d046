-- Every brand group's accounts: the brand's own (tracked_kind 'brand', tracked_id = the brand id, as resolved by
-- int_owned_accounts_resolved) and those of each competitor it tracks (tracked_kind 'competitor', tracked_id = the
-- competitor id), each with an id once known: the configured account_id, else the id the exports carry for the
-- configured handle (int_handles_resolved), else null (the handle still matches mentions). brand_id names the group.
-- A competitor's account is only tracked: nothing here feeds the brand's owned attribution.
-- Grain: one row per configured account per group (an account may be a competitor in one group and owned in another:
-- a brand of this warehouse that another brand tracks).
with

owned_accounts as (

    select * from {{ ref('int_owned_accounts_resolved') }}

),

competitor_accounts as (

    select * from {{ ref('stg_config__competitor_accounts') }}

),

handles as (

    select * from {{ ref('int_handles_resolved') }}

),

owned as (

    select
        brand_id,
        brand_id as tracked_id,
        'brand' as tracked_kind,
        brand_name as tracked_name,
        platform,
        account_id,
        handle_lower
    from owned_accounts

),

competitors as (

    select
        competitor_accounts.brand_id,
        competitor_accounts.competitor_id as tracked_id,
        'competitor' as tracked_kind,
        competitor_accounts.competitor_name as tracked_name,
        competitor_accounts.platform,
        coalesce(competitor_accounts.account_id, handles.person_id) as account_id,
        lower(competitor_accounts.handle) as handle_lower
    from competitor_accounts
    left join handles
        on competitor_accounts.account_id is null
        and competitor_accounts.platform = handles.platform
        and lower(competitor_accounts.handle) = handles.handle_lower

),

final as (

    select * from owned
    union all
    select * from competitors

)

select * from final
