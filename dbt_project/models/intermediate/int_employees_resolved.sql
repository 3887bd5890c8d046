-- Brand employees with an id each: the configured person_id, else the id the exports carry for the configured handle
-- (int_handles_resolved). person_id_origin records which: configured, resolved_from_handle or unresolved.
with

configured as (

    select * from {{ ref('stg_config__employees') }}

),

handles as (

    select * from {{ ref('int_handles_resolved') }}

),

final as (

    select
        configured.brand_id,
        configured.platform,
        coalesce(configured.person_id, handles.person_id) as person_id,
        configured.handle,
        configured.role,
        case
            when configured.person_id is not null then 'configured'
            when handles.person_id is not null then 'resolved_from_handle'
            else 'unresolved'
        end as person_id_origin
    from configured
    left join handles
        on configured.person_id is null
        and configured.platform = handles.platform
        and lower(configured.handle) = handles.handle_lower

)

select * from final
