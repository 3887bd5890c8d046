-- Per person (platform + author id; the same human on two platforms is two people) x brand: interactions with the
-- brand, sentiment, referral actions, first and last seen, employee flag, CRM link and the advocate flag.
-- Advocate: at least var('advocate_min_positive_interactions') positive interactions and at least one referral
-- action with the brand within the last var('advocate_window_days') days, counted back from the newest interaction
-- date in the warehouse. advocacy_rank orders the brand's people by referral actions, then positive interactions,
-- then interactions (1 = strongest) among the brand's audience: employees speak for the brand, so they are listed
-- (is_employee) but not ranked (advocacy_monthly leaves them out of the ladder too); brand accounts themselves are
-- not people here. Lead and customer: the person's CRM contact, counted only when that contact is attributed to
-- this brand (int_contacts_attributed.brand_id), never because it belongs to another brand.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

people as (

    select * from {{ ref('int_people_linked') }}

),

contacts as (

    select * from {{ ref('int_contacts_attributed') }}

),

window_bounds as (

    select
        {{ add_days(1 - (var('advocate_window_days') | int), 'max(created_date)') }} as window_start_date
    from interactions

),

person_interactions as (

    select
        interactions.*,
        interactions.created_date >= window_bounds.window_start_date as is_in_advocate_window
    from interactions
    cross join window_bounds
    where not interactions.is_brand_author
        and interactions.brand_id is not null

),

aggregated as (

    select
        {{ dbt.concat(["platform", "':'", "author_id"]) }} as person_key,
        platform,
        author_id as person_id,
        brand_id,
        count(*) as interactions,
        count(case when sentiment_label is not null then 1 end) as sentiment_scored_interactions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_interactions,
        count(case when is_referral_action then 1 end) as referral_actions,
        count(case when is_recommendation_referral then 1 end) as recommendations,
        count(case when is_shout_out then 1 end) as shout_outs,
        count(case when is_brand_content_share then 1 end) as brand_content_shares,
        count(case when is_ugc then 1 end) as ugc_posts,
        count(case when is_in_advocate_window and sentiment_label = 'positive' then 1 end)
            as positive_interactions_in_window,
        count(case when is_in_advocate_window and is_referral_action then 1 end) as referral_actions_in_window,
        min(created_at_utc) as first_seen_at_utc,
        max(created_at_utc) as last_seen_at_utc
    from person_interactions
    group by platform, author_id, brand_id

),

final as (

    select
        aggregated.person_key,
        aggregated.platform,
        aggregated.person_id,
        people.handle,
        aggregated.brand_id,
        aggregated.interactions,
        aggregated.sentiment_scored_interactions,
        aggregated.positive_interactions,
        {{ safe_divide('aggregated.positive_interactions', 'aggregated.sentiment_scored_interactions') }}
            as positive_share,
        aggregated.referral_actions,
        aggregated.recommendations,
        aggregated.shout_outs,
        aggregated.brand_content_shares,
        aggregated.ugc_posts,
        aggregated.positive_interactions_in_window,
        aggregated.referral_actions_in_window,
        aggregated.first_seen_at_utc,
        aggregated.last_seen_at_utc,
        coalesce(people.is_employee, false) as is_employee,
        people.followers_count,
        aggregated.positive_interactions_in_window >= {{ var('advocate_min_positive_interactions') }}
            and aggregated.referral_actions_in_window >= 1 as is_advocate,
        -- row_number() is a 32-bit integer on Spark, a bigint on DuckDB: the contract says bigint
        cast(case
            when not coalesce(people.is_employee, false) then row_number() over (
                partition by aggregated.brand_id, coalesce(people.is_employee, false)
                order by
                    aggregated.referral_actions desc,
                    aggregated.positive_interactions desc,
                    aggregated.interactions desc,
                    aggregated.person_key asc
            )
        end as {{ dbt.type_bigint() }}) as advocacy_rank,
        people.contact_key,
        contacts.lead_at_utc is not null as is_lead,
        contacts.customer_at_utc is not null as is_customer
    from aggregated
    left join people
        on aggregated.person_key = people.person_key
    left join contacts
        on people.contact_key = contacts.contact_key
        and aggregated.brand_id = contacts.brand_id

)

select * from final
