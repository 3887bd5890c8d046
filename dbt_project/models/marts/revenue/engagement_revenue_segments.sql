-- Engagement beside revenue for the same people, per brand x segment (all time). A person is a CRM contact when
-- their social account links to one (int_people_linked), else a social account; CRM contacts attributed to the
-- brand (int_contacts_attributed) are included even when they never interacted. engaged = at least
-- var('engaged_min_interactions') audience interactions with the brand; buyer = closed-won revenue > 0.
-- Segments: engaged_buyer, engaged_non_buyer (engagement that does not buy), quiet_buyer (buyers who rarely or never
-- interact: the quiet big clients), quiet_non_buyer.
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

social_engagement as (

    select
        interactions.brand_id,
        coalesce(people.contact_key, {{ dbt.concat(["interactions.platform", "':'", "interactions.author_id"]) }})
            as customer_key,
        count(*) as interactions
    from interactions
    left join people
        on interactions.platform = people.platform
        and interactions.author_id = people.person_id
    where interactions.is_audience and interactions.brand_id is not null
    group by interactions.brand_id,
        coalesce(people.contact_key, {{ dbt.concat(["interactions.platform", "':'", "interactions.author_id"]) }})

),

crm_revenue as (

    select
        brand_id,
        contact_key as customer_key,
        won_revenue as revenue
    from contacts
    where brand_id is not null

),

customers as (

    select
        coalesce(social_engagement.brand_id, crm_revenue.brand_id) as brand_id,
        coalesce(social_engagement.customer_key, crm_revenue.customer_key) as customer_key,
        coalesce(social_engagement.interactions, 0) as interactions,
        coalesce(crm_revenue.revenue, 0) as revenue
    from social_engagement
    full outer join crm_revenue
        on social_engagement.brand_id = crm_revenue.brand_id
        and social_engagement.customer_key = crm_revenue.customer_key

),

segmented as (

    select
        *,
        case
            when interactions >= {{ var('engaged_min_interactions') }} and revenue > 0 then 'engaged_buyer'
            when interactions >= {{ var('engaged_min_interactions') }} then 'engaged_non_buyer'
            when revenue > 0 then 'quiet_buyer'
            else 'quiet_non_buyer'
        end as segment
    from customers

),

aggregated as (

    select
        brand_id,
        segment,
        count(*) as people,
        cast(sum(interactions) as {{ dbt.type_bigint() }}) as interactions,
        cast(sum(revenue) as {{ type_money() }}) as revenue
    from segmented
    group by brand_id, segment

),

brand_totals as (

    select
        brand_id,
        cast(sum(interactions) as {{ dbt.type_bigint() }}) as brand_interactions,
        sum(revenue) as brand_revenue
    from aggregated
    group by brand_id

),

final as (

    select
        aggregated.brand_id,
        aggregated.segment,
        aggregated.people,
        aggregated.interactions,
        aggregated.revenue,
        {{ safe_divide('aggregated.interactions', 'brand_totals.brand_interactions') }} as share_of_brand_interactions,
        {{ safe_divide('aggregated.revenue', 'brand_totals.brand_revenue') }} as share_of_brand_revenue,
        {{ safe_divide('aggregated.revenue', 'aggregated.people') }} as revenue_per_person,
        {{ safe_divide('aggregated.interactions', 'aggregated.people') }} as interactions_per_person
    from aggregated
    inner join brand_totals
        on aggregated.brand_id = brand_totals.brand_id

)

select * from final
