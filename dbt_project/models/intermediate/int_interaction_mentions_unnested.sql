{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('interaction_key', key_is_unique=false, day='created_date')
    )
}}

-- One row per (interaction, mentioned handle), handles lowercase without '@'.
-- Incremental (replacing interaction_key): a run unnests only the interactions whose newest version was ingested
-- after the newest version this table holds; its rows replace every row of those interactions. A new version that
-- mentions nothing has no row of its own to replace the old version's mentions with: the run gives it one row with a
-- null handle, which replaces them, and the post-hook (in _intermediate__models.yml) deletes it. The watermark
-- counts only interactions that mention something, so it may lag (a later run unnests the same interactions again,
-- to the same rows), never skip.
-- On Spark with Parquet (macros/incremental.sql: no row-level deletes) the table is partitioned by the interaction's
-- created_date, a column only there, and a run overwrites whole days instead: every day a new version was created on
-- or has rows here, each re-derived from all of that day's interactions. A day left without any mention gets one
-- placeholder row (null handle) so that its partition is overwritten, and the post-hook drops such days.
{%- set whole_days = overwrites_days() %}
with

interactions as (

    select * from {{ ref('stg_social__interactions') }}

),

{% if is_incremental() %}

last_build as (

    select max(ingested_at_utc) as ingested_at_utc from {{ this }}

),

-- an empty table (nothing mentioned anything yet) has no watermark: everything is new
new_versions as (

    select interactions.*
    from interactions
    cross join last_build
    where last_build.ingested_at_utc is null
        or interactions.ingested_at_utc > last_build.ingested_at_utc

),

{% if whole_days %}

-- the days those interactions were created on, and the days their older versions' rows are in here
days_to_replace as (

    select cast(created_at_utc as date) as created_date
    from new_versions
    union
    select held.created_date
    from {{ this }} as held
    inner join new_versions
        on held.interaction_key = new_versions.interaction_key

),

to_unnest as (

    select interactions.*
    from interactions
    inner join days_to_replace
        on cast(interactions.created_at_utc as date) = days_to_replace.created_date

),

{% else %}

to_unnest as (

    select * from new_versions

),

{% endif %}

{% else %}

to_unnest as (

    select * from interactions

),

{% endif %}

unnested as (

    select
        interaction_key,
        platform,
        {{ unnest_list('mentioned_handles') }} as mentioned_handle,
        ingested_at_utc{% if whole_days %},
        cast(created_at_utc as date) as created_date{% endif %}
    from to_unnest
    where mentioned_handles is not null

),

mentions as (

    select distinct
        interaction_key,
        platform,
        lower(mentioned_handle) as mentioned_handle,
        ingested_at_utc{% if whole_days %},
        created_date{% endif %}
    from unnested
    where mentioned_handle is not null

),

{% if is_incremental() and whole_days %}

-- the placeholder of a day left without any mention (its partition dropped by the post-hook)
mentions_dropped as (

    select
        cast(null as {{ dbt.type_string() }}) as interaction_key,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as mentioned_handle,
        cast(null as {{ dbt.type_timestamp() }}) as ingested_at_utc,
        days_to_replace.created_date
    from days_to_replace
    left join mentions
        on days_to_replace.created_date = mentions.created_date
    where mentions.created_date is null

),

final as (

    select * from mentions
    union all
    select * from mentions_dropped

)

{% elif is_incremental() %}

-- the replacement row of an interaction whose newest version mentions nothing (deleted by the post-hook)
mentions_dropped as (

    select
        to_unnest.interaction_key,
        to_unnest.platform,
        cast(null as {{ dbt.type_string() }}) as mentioned_handle,
        to_unnest.ingested_at_utc
    from to_unnest
    left join mentions
        on to_unnest.interaction_key = mentions.interaction_key
    where mentions.interaction_key is null

),

final as (

    select * from mentions
    union all
    select * from mentions_dropped

)

{% else %}

final as (

    select * from mentions

)

{% endif %}

select * from final
