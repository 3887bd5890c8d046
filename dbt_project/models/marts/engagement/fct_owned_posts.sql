{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('interaction_key')
    )
}}

-- One row per owned post (a post written by an owned account) with the audience response it received so far.
-- Audience interactions belong to a post through owned_content_id (thread root or parent, see fct_interactions).
-- Public counters and observed records are both used (exports often carry counters without the records), and only
-- the audience counts: amplifications and applause take the larger of the audience records we hold and the
-- platform's counters on the post minus the records we hold of employees and brand accounts (the platform counts
-- everyone; an employee's retweet is not audience amplification).
--
-- Incremental (replacing interaction_key, macros/incremental.sql: delete+insert on DuckDB, rebuilt whole on Spark
-- without a MERGE table format). A run rebuilds the posts whose inputs changed since the last build: a post with
-- an interaction (the post itself, an audience interaction under it, a non-audience one on it) that fct_interactions
-- re-derived since (interactions_loaded_at_utc is the high-water mark), a post not stored yet, a post whose
-- followers at post time, impressions or reach differ from the stored ones (those are recomputed for every post:
-- owned posts are few, and the follower days and content metrics carry no load time), and, given a window
-- (var('min_date') / var('max_date'), else the Dagster run's), the posts created in
-- [min_date - lookback_days, max_date). Only the interactions on the rebuilt posts are counted.
{%- set min_date = var('min_date') or refresh_window('min_date') %}
{%- set max_date = var('max_date') or refresh_window('max_date') %}
{%- set lookback_days = var('lookback_days') | int %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

interaction_types as (

    select * from {{ ref('interaction_types') }}

),

followers_daily as (

    select * from {{ ref('int_account_followers_daily') }}

),

content_metrics as (

    select * from {{ ref('stg_pages__content_metrics') }}

),

posts as (

    select *
    from interactions
    where is_brand_author and interaction_type = 'post'

),

followers_as_of_ranked as (

    select
        posts.interaction_key,
        followers_daily.followers,
        row_number() over (
            partition by posts.interaction_key
            order by followers_daily.followers_date desc, followers_daily.followers_source asc
        ) as recency_rank
    from posts
    inner join followers_daily
        on posts.platform = followers_daily.platform
        and posts.brand_account_id = followers_daily.account_id
        and posts.created_date >= followers_daily.followers_date

),

lifetime_content_metrics as (

    select
        platform,
        content_id,
        max(case when metric_date is null then impressions end) as lifetime_impressions,
        cast(sum(case when metric_date is not null then impressions end) as {{ dbt.type_bigint() }})
            as daily_impressions_total,
        max(case when metric_date is null then reach end) as lifetime_reach
    from content_metrics
    group by platform, content_id

),

-- what a post reads besides the interactions on it, for every post (an incremental run compares it with the stored)
post_reach as (

    select
        posts.interaction_key,
        followers_as_of_ranked.followers as followers_at_post_time,
        coalesce(
            lifetime_content_metrics.lifetime_impressions,
            lifetime_content_metrics.daily_impressions_total,
            posts.impression_count
        ) as impressions,
        lifetime_content_metrics.lifetime_reach as reach
    from posts
    left join followers_as_of_ranked
        on posts.interaction_key = followers_as_of_ranked.interaction_key
        and followers_as_of_ranked.recency_rank = 1
    left join lifetime_content_metrics
        on posts.platform = lifetime_content_metrics.platform
        -- a content id is unique within its platform; the account of a metric row is often absent (see staging)
        and posts.interaction_id = lifetime_content_metrics.content_id

),
{% if is_incremental() %}

stored_posts as (

    select * from {{ this }}

),

-- the posts this run rebuilds (see the header); ids of other owned content may come along, no post matches them
rebuilt_posts as (

    select
        posts.platform,
        posts.interaction_id as post_id
    from posts
    inner join post_reach
        on posts.interaction_key = post_reach.interaction_key
    left join stored_posts
        on posts.interaction_key = stored_posts.interaction_key
    where stored_posts.interaction_key is null
        or post_reach.followers_at_post_time is distinct from stored_posts.followers_at_post_time
        or post_reach.impressions is distinct from stored_posts.impressions
        or post_reach.reach is distinct from stored_posts.reach
        {% if min_date %}
        or (
            posts.created_date >= {{ add_days(-1 * lookback_days, "cast('" ~ min_date ~ "' as date)") }}
            {% if max_date %}and posts.created_date < cast('{{ max_date }}' as date){% endif %}
        )
        {% endif %}

    union

    select
        platform,
        owned_content_id as post_id
    from interactions
    where owned_content_id is not null
        and thread_loaded_at_utc > (select max(interactions_loaded_at_utc) from stored_posts)

    union

    select
        platform,
        parent_id as post_id
    from interactions
    where parent_id is not null
        and thread_loaded_at_utc > (select max(interactions_loaded_at_utc) from stored_posts)

),
{% endif %}

audience_on_posts as (

    select
        interactions.*,
        interaction_types.engagement_family
    from interactions
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    {% if is_incremental() %}
    inner join rebuilt_posts
        on interactions.platform = rebuilt_posts.platform
        and interactions.owned_content_id = rebuilt_posts.post_id
    {% endif %}
    where interactions.is_audience
        and interactions.owned_content_id is not null

),

non_audience_counts as (

    select
        interactions.platform,
        interactions.parent_id as post_id,
        count(case when interaction_types.engagement_family = 'amplification' then 1 end)
            as non_audience_amplifications,
        count(case when interaction_types.engagement_family = 'applause' then 1 end) as non_audience_reactions,
        max(interactions.thread_loaded_at_utc) as interactions_loaded_at_utc
    from interactions
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    {% if is_incremental() %}
    inner join rebuilt_posts
        on interactions.platform = rebuilt_posts.platform
        and interactions.parent_id = rebuilt_posts.post_id
    {% endif %}
    where not interactions.is_audience
        and interactions.parent_id is not null
    group by interactions.platform, interactions.parent_id

),

response_counts as (

    select
        platform,
        owned_content_id as post_id,
        count(case when engagement_family = 'conversation' then 1 end) as audience_comments_and_replies,
        count(case when engagement_family = 'amplification' then 1 end) as observed_amplifications,
        count(case when engagement_family = 'applause' then 1 end) as observed_reactions,
        count(case when engagement_family = 'conversation' and is_substantive then 1 end)
            as substantive_comments_and_replies,
        count(case when engagement_family = 'conversation' and is_substantive is not null then 1 end)
            as enriched_comments_and_replies,
        count(case when engagement_family = 'conversation' and is_substantive and thread_has_brand_reply then 1 end)
            as thoughtful_replies,
        count(case when sentiment_label = 'positive' then 1 end) as positive_audience_interactions,
        count(case when sentiment_label is not null then 1 end) as sentiment_scored_audience_interactions,
        max(thread_loaded_at_utc) as interactions_loaded_at_utc
    from audience_on_posts
    group by platform, owned_content_id

),

measured as (

    select
        posts.interaction_key,
        posts.platform,
        posts.interaction_id as post_id,
        posts.brand_id,
        posts.brand_account_id as account_id,
        posts.created_at_utc,
        posts.created_date,
        posts.utm_campaign,
        posts.campaign_name,
        posts.campaign_channel,
        coalesce(response_counts.audience_comments_and_replies, 0) as audience_comments_and_replies,
        greatest(
            coalesce(response_counts.observed_amplifications, 0),
            coalesce(posts.share_count, 0) + coalesce(posts.quote_count, 0)
                - coalesce(non_audience_counts.non_audience_amplifications, 0)
        ) as amplifications,
        greatest(
            coalesce(response_counts.observed_reactions, 0),
            coalesce(posts.like_count, 0) - coalesce(non_audience_counts.non_audience_reactions, 0)
        ) as applause,
        coalesce(response_counts.substantive_comments_and_replies, 0) as substantive_comments_and_replies,
        coalesce(response_counts.enriched_comments_and_replies, 0) as enriched_comments_and_replies,
        coalesce(response_counts.thoughtful_replies, 0) as thoughtful_replies,
        coalesce(response_counts.positive_audience_interactions, 0) as positive_audience_interactions,
        coalesce(response_counts.sentiment_scored_audience_interactions, 0)
            as sentiment_scored_audience_interactions,
        post_reach.followers_at_post_time,
        post_reach.impressions,
        post_reach.reach,
        greatest(
            posts.thread_loaded_at_utc,
            coalesce(response_counts.interactions_loaded_at_utc, posts.thread_loaded_at_utc),
            coalesce(non_audience_counts.interactions_loaded_at_utc, posts.thread_loaded_at_utc)
        ) as interactions_loaded_at_utc
    from posts
    {% if is_incremental() %}
    inner join rebuilt_posts
        on posts.platform = rebuilt_posts.platform
        and posts.interaction_id = rebuilt_posts.post_id
    {% endif %}
    inner join post_reach
        on posts.interaction_key = post_reach.interaction_key
    left join response_counts
        on posts.platform = response_counts.platform
        and posts.interaction_id = response_counts.post_id
    left join non_audience_counts
        on posts.platform = non_audience_counts.platform
        and posts.interaction_id = non_audience_counts.post_id

),

final as (

    select
        interaction_key,
        platform,
        post_id,
        brand_id,
        account_id,
        created_at_utc,
        created_date,
        utm_campaign,
        campaign_name,
        campaign_channel,
        audience_comments_and_replies,
        amplifications,
        applause,
        audience_comments_and_replies + amplifications + applause as engagements,
        substantive_comments_and_replies,
        enriched_comments_and_replies,
        thoughtful_replies,
        positive_audience_interactions,
        sentiment_scored_audience_interactions,
        {{ safe_divide('positive_audience_interactions', 'sentiment_scored_audience_interactions') }}
            as affinity_rating,
        followers_at_post_time,
        impressions,
        reach,
        interactions_loaded_at_utc
    from measured

)

select * from final
