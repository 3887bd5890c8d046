-- One row per (interaction, mentioned handle), handles lowercase without '@'.
with

interactions as (

    select * from {{ ref('stg_social__interactions') }}

),

unnested as (

    select
        interaction_key,
        platform,
        {{ unnest_list('mentioned_handles') }} as mentioned_handle
    from interactions
    where mentioned_handles is not null

),

final as (

    select distinct
        interaction_key,
        platform,
        lower(mentioned_handle) as mentioned_handle
    from unnested
    where mentioned_handle is not null

)

select * from final
