-- One row per person (platform + author id) who wrote a non-brand interaction: the handle of their latest
-- interaction, their latest follower count, the brand they interact with most (ties: alphabetical), the employee
-- flag, and the CRM contact linked through (social_platform, social_handle) = (platform, lower(handle)); when
-- several contacts carry the handle, the earliest created wins. A person on two platforms is two people unless
-- both handles link to the same contact.
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

authors as (

    -- An interaction without an author id (a deleted Reddit account, a Graph comment without `from`) is counted
    -- where interactions are counted, but is nobody's: there is no person to follow over time.
    select * from interactions
    where not is_brand_author
        and author_id is not null

),

latest_handle_ranked as (

    select
        platform,
        author_id,
        author_handle,
        author_name,
        is_employee,
        employee_brand_id,
        row_number() over (
            partition by platform, author_id
            order by created_at_utc desc, interaction_key desc
        ) as recency_rank
    from authors

),

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

followers_ranked as (

    select
        platform,
        person_id,
        followers_count,
        row_number() over (partition by platform, person_id order by observed_at_utc desc) as snapshot_rank
    from people
    where followers_count is not null

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

final as (

    select
        {{ dbt.concat(["latest_handle_ranked.platform", "':'", "latest_handle_ranked.author_id"]) }} as person_key,
        latest_handle_ranked.platform,
        latest_handle_ranked.author_id as person_id,
        latest_handle_ranked.author_handle as handle,
        latest_handle_ranked.author_name as display_name,
        latest_handle_ranked.is_employee,
        latest_handle_ranked.employee_brand_id,
        brand_interactions_ranked.brand_id as primary_brand_id,
        followers_ranked.followers_count,
        contacts_ranked.contact_key
    from latest_handle_ranked
    left join brand_interactions_ranked
        on latest_handle_ranked.platform = brand_interactions_ranked.platform
        and latest_handle_ranked.author_id = brand_interactions_ranked.author_id
        and brand_interactions_ranked.brand_rank = 1
    left join followers_ranked
        on latest_handle_ranked.platform = followers_ranked.platform
        and latest_handle_ranked.author_id = followers_ranked.person_id
        and followers_ranked.snapshot_rank = 1
    left join contacts_ranked
        on latest_handle_ranked.platform = contacts_ranked.social_platform
        and lower(latest_handle_ranked.author_handle) = contacts_ranked.social_handle
        and contacts_ranked.contact_rank = 1
    where latest_handle_ranked.recency_rank = 1

)

select * from final
