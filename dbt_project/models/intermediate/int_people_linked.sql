{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('person_key')
    )
}}

-- One row per person (platform + author id) who wrote a non-brand interaction: the handle of their latest
-- interaction, their latest follower count, the brand they interact with most (ties: alphabetical), the employee
-- flag, and the CRM contact linked through (social_platform, social_handle) = (platform, lower(handle)); when
-- several contacts carry the handle, the earliest created wins. A person on two platforms is two people unless
-- both handles link to the same contact.
-- Incremental (replacing person_key, macros/incremental.sql: delete+insert on DuckDB, rebuilt whole on Spark without
-- a MERGE table format): a run rebuilds the people whose inputs can have changed since the last build -
--   * the authors of every interaction int_interactions_attributed can have re-attributed because of what was loaded
--     since (macros/changed_interactions.sql: a person's marker, interactions_loaded_at_utc, is the newest load of
--     their interactions, and the newest of all is the high-water mark): a reply under someone else's comment changes
--     that comment's brand, though its thread and its author's interactions received nothing;
--   * the people whose latest follower count or linked contact differs from the stored one (both recomputed for
--     every person: snapshots and contacts carry no load time here);
--   * everyone, when the owned accounts or employees differ from the last build's (accounts_digest): a newly
--     resolved id re-attributes rows in any thread.
-- A rebuilt person with no interaction left here (an author now known as an owned account) gets a placeholder row
-- (null person_id) that replaces the stored one, deleted by the post-hook.
with

interactions as (

    select * from {{ ref('int_interactions_attributed') }}

),

people as (

    select * from {{ ref('stg_social__people') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

accounts as (

    {{ attribution_accounts_digest() }}

),

followers_latest as (

    select
        platform,
        person_id,
        {{ value_at_max('followers_count', ordering_key(['observed_at_utc is not null', 'observed_at_utc'])) }}
            as followers_count
    from people
    where followers_count is not null
    group by platform, person_id

),

contacts_ranked as (

    select
        contact_key,
        social_platform,
        social_handle,
        row_number() over (
            partition by social_platform, social_handle
            order by created_at_utc, contact_key
        ) as contact_rank
    from contacts
    where social_handle is not null

),

{% if is_incremental() %}

stored as (

    select * from {{ this }}

),

last_build as (

    select
        max(interactions_loaded_at_utc) as interactions_loaded_at_utc,
        max(accounts_digest) as accounts_digest
    from stored

),

rebuilds_everyone as (

    select
        coalesce(last_build.accounts_digest <> accounts.accounts_digest, true) as rebuilds_everyone
    from last_build
    cross join accounts

),

arrived as (

    select interactions.*
    from interactions
    cross join last_build
    where last_build.interactions_loaded_at_utc is null
        or interactions.ingested_at_utc > last_build.interactions_loaded_at_utc

),

reached as (

    {{ interactions_reached_by('interactions', 'arrived') }}

),

-- union (not union all): a person reached in several ways is rebuilt once
people_to_rebuild as (

    select
        interactions.platform,
        interactions.author_id
    from interactions
    inner join reached
        on interactions.interaction_key = reached.interaction_key
    where interactions.author_id is not null
    union
    select
        stored.platform,
        stored.person_id as author_id
    from stored
    left join followers_latest
        on stored.platform = followers_latest.platform
        and stored.person_id = followers_latest.person_id
    left join contacts_ranked
        on stored.platform = contacts_ranked.social_platform
        and lower(stored.handle) = contacts_ranked.social_handle
        and contacts_ranked.contact_rank = 1
    where stored.followers_count is distinct from followers_latest.followers_count
        or stored.contact_key is distinct from contacts_ranked.contact_key
    union
    select
        interactions.platform,
        interactions.author_id
    from interactions
    cross join rebuilds_everyone
    where rebuilds_everyone.rebuilds_everyone
        and interactions.author_id is not null
    union
    select
        stored.platform,
        stored.person_id as author_id
    from stored
    cross join rebuilds_everyone
    where rebuilds_everyone.rebuilds_everyone

),

authors as (

    -- An interaction without an author id (a deleted Reddit account, a Graph comment without `from`) is counted
    -- where interactions are counted, but is nobody's: there is no person to follow over time.
    select interactions.*
    from interactions
    inner join people_to_rebuild
        on interactions.platform = people_to_rebuild.platform
        and interactions.author_id = people_to_rebuild.author_id
    where not interactions.is_brand_author

),

{% else %}

authors as (

    -- An interaction without an author id (a deleted Reddit account, a Graph comment without `from`) is counted
    -- where interactions are counted, but is nobody's: there is no person to follow over time.
    select * from interactions
    where not is_brand_author
        and author_id is not null

),

{% endif %}

-- A person's latest interaction (by created_at_utc, then interaction_key; a missing timestamp ranks last) and the
-- newest load of their interactions: a hash aggregate, one pass over the authors' rows, not a sort of each person's
-- whole history.
{%- set latest = ordering_key(['created_at_utc is not null', 'created_at_utc', 'interaction_key']) %}
latest_interactions as (

    select
        platform,
        author_id,
        {{ value_at_max('author_handle', latest) }} as author_handle,
        {{ value_at_max('author_name', latest) }} as author_name,
        {{ value_at_max('is_employee', latest) }} as is_employee,
        {{ value_at_max('employee_brand_id', latest) }} as employee_brand_id,
        max(ingested_at_utc) as interactions_loaded_at_utc
    from authors
    group by platform, author_id

),

-- the person's brand with the most interactions (ties: alphabetical); a sort of the per-brand counts only
brand_interactions_ranked as (

    select
        platform,
        author_id,
        brand_id,
        row_number() over (
            partition by platform, author_id
            order by count(*) desc, brand_id
        ) as brand_rank
    from authors
    where brand_id is not null
    group by platform, author_id, brand_id

),

people_linked as (

    select
        {{ dbt.concat(["latest_interactions.platform", "':'", "latest_interactions.author_id"]) }} as person_key,
        latest_interactions.platform,
        latest_interactions.author_id as person_id,
        latest_interactions.author_handle as handle,
        latest_interactions.author_name as display_name,
        latest_interactions.is_employee,
        latest_interactions.employee_brand_id,
        brand_interactions_ranked.brand_id as primary_brand_id,
        followers_latest.followers_count,
        contacts_ranked.contact_key,
        latest_interactions.interactions_loaded_at_utc,
        accounts.accounts_digest
    from latest_interactions
    cross join accounts
    left join brand_interactions_ranked
        on latest_interactions.platform = brand_interactions_ranked.platform
        and latest_interactions.author_id = brand_interactions_ranked.author_id
        and brand_interactions_ranked.brand_rank = 1
    left join followers_latest
        on latest_interactions.platform = followers_latest.platform
        and latest_interactions.author_id = followers_latest.person_id
    left join contacts_ranked
        on lower(latest_interactions.author_handle) = contacts_ranked.social_handle
        and latest_interactions.platform = contacts_ranked.social_platform
        and contacts_ranked.contact_rank = 1

),

{% if is_incremental() %}

-- the placeholder replacing a rebuilt person who is no longer anyone's author here (deleted by the post-hook); its
-- columns come from the left join, null with their types
people_dropped as (

    select
        {{ dbt.concat(["people_to_rebuild.platform", "':'", "people_to_rebuild.author_id"]) }} as person_key,
        people_to_rebuild.platform,
        people_linked.person_id,
        people_linked.handle,
        people_linked.display_name,
        people_linked.is_employee,
        people_linked.employee_brand_id,
        people_linked.primary_brand_id,
        people_linked.followers_count,
        people_linked.contact_key,
        people_linked.interactions_loaded_at_utc,
        people_linked.accounts_digest
    from people_to_rebuild
    left join people_linked
        on people_to_rebuild.platform = people_linked.platform
        and people_to_rebuild.author_id = people_linked.person_id
    where people_linked.person_id is null

),

final as (

    select * from people_linked
    union all
    select * from people_dropped

)

{% else %}

final as (

    select * from people_linked

)

{% endif %}

select * from final
