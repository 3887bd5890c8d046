-- The brands' own accounts with an id each: the configured account_id, else the id the exports carry for the
-- configured handle (int_handles_resolved). account_id_origin records which: configured, resolved_from_handle, or
-- unresolved (a handle no export shows as an author or a person yet). account_key is what the interactions
-- attributed to the account carry: the id once known, else '<platform>:@<handle, lowercase>', so that mentions of a
-- handle whose account never posts in the exports (a listening export, a mention search) still count for its brand.
with

configured as (

    select * from {{ ref('stg_config__owned_accounts') }}

),

brands as (

    select * from {{ ref('stg_config__brands') }}

),

handles as (

    select * from {{ ref('int_handles_resolved') }}

),

final as (

    select
        configured.brand_id,
        brands.brand_name,
        configured.platform,
        coalesce(configured.account_id, handles.person_id) as account_id,
        configured.handle,
        lower(configured.handle) as handle_lower,
        coalesce(
            configured.account_id,
            handles.person_id,
            {{ dbt.concat(['configured.platform', "':@'", 'lower(configured.handle)']) }}
        ) as account_key,
        case
            when configured.account_id is not null then 'configured'
            when handles.person_id is not null then 'resolved_from_handle'
            else 'unresolved'
        end as account_id_origin
    from configured
    left join brands
        on configured.brand_id = brands.brand_id
    left join handles
        on configured.account_id is null
        and configured.platform = handles.platform
        and lower(configured.handle) = handles.handle_lower

)

select * from final
