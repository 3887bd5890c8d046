-- The platform id behind each handle the configuration names without an id (brand accounts, employees and
-- competitors' accounts given by handle alone). Candidates, best first:
--   1. people records (stg_social__people) and interaction authors carrying that handle; among several ids for one
--      handle (a handle that changed hands), the most recently seen wins;
--   2. an author id equal to the handle, for exports that carry no handle and use the screen name as the author id
--      (customer-support dumps write brand accounts that way).
-- Grain: one row per (platform, handle_lower) the configuration asks for and the exports know.
with

owned_accounts as (

    select * from {{ ref('stg_config__owned_accounts') }}

),

employees as (

    select * from {{ ref('stg_config__employees') }}

),

competitor_accounts as (

    select * from {{ ref('stg_config__competitor_accounts') }}

),

people as (

    select * from {{ ref('stg_social__people') }}

),

interactions as (

    select * from {{ ref('stg_social__interactions') }}

),

wanted as (

    select platform, lower(handle) as handle_lower
    from owned_accounts
    where account_id is null and handle is not null
    union
    select platform, lower(handle) as handle_lower
    from employees
    where person_id is null and handle is not null
    union
    select platform, lower(handle) as handle_lower
    from competitor_accounts
    where account_id is null and handle is not null

),

candidates as (

    select platform, person_id, lower(handle) as handle_lower, observed_at_utc as seen_at_utc, 1 as match_rank
    from people
    where handle is not null and person_id is not null
    union all
    select platform, author_id, lower(author_handle) as handle_lower, created_at_utc, 1 as match_rank
    from interactions
    where author_handle is not null and author_id is not null
    union all
    select platform, author_id, lower(author_id) as handle_lower, created_at_utc, 2 as match_rank
    from interactions
    where author_handle is null and author_id is not null

),

ranked as (

    select
        candidates.platform,
        candidates.handle_lower,
        candidates.person_id,
        row_number() over (
            partition by candidates.platform, candidates.handle_lower
            order by candidates.match_rank asc, candidates.seen_at_utc desc nulls last, candidates.person_id asc
        ) as candidate_rank
    from candidates
    inner join wanted
        on candidates.platform = wanted.platform
        and candidates.handle_lower = wanted.handle_lower

),

final as (

    select platform, handle_lower, person_id
    from ranked
    where candidate_rank = 1

)

select * from final
