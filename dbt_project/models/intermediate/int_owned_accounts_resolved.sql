-- The brands' own accounts with an id each: the configured account_id, else the id the exports carry for the
-- configured handle (int_handles_resolved). account_id_origin records which: configured, resolved_from_handle, or
-- unresolved (a handle no export carries yet: it attributes nothing until an export does).
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
