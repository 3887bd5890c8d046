-- Share of voice per ISO week (Monday start, UTC) x platform x brand group: the brand and each competitor it tracks
-- as rows, every measure on the same definitions for each (int_interactions_tracked_attributed says what counts as a
-- mention of a party, and what as the party's response). A week and platform appear for a group when any party of
-- the group was mentioned there; every party with an account on that platform then has a row, with zeros when
-- nobody mentioned it.
--   share_of_mentions       mentions / the group's mentions that week on that platform (an interaction about two
--                           parties counts once for each, so the shares of a group sum to 1)
--   net_sentiment           (positive - negative mentions) / sentiment-scored mentions
--   engagement_per_mention  engagements on the mentions (likes + replies + shares + quotes, the platform's counters,
--                           missing ones as 0) / mentions
--   response_rate           mentions expecting a response that the party answered publicly / mentions expecting a
--                           response
with

tracked as (

    select * from {{ ref('int_interactions_tracked_attributed') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

tracked_accounts as (

    select * from {{ ref('int_tracked_accounts_resolved') }}

),

mentions as (

    select
        {{ iso_week_start('tracked.created_date') }} as week_start_date,
        tracked.platform,
        tracked.brand_id,
        tracked.tracked_id,
        tracked.expects_response,
        tracked.first_response_at_utc,
        tracked.first_response_minutes,
        interactions.sentiment_label,
        coalesce(interactions.like_count, 0) + coalesce(interactions.reply_count, 0)
            + coalesce(interactions.share_count, 0) + coalesce(interactions.quote_count, 0) as engagements
    from tracked
    left join interactions
        on tracked.interaction_key = interactions.interaction_key

),

aggregated as (

    select
        week_start_date,
        platform,
        brand_id,
        tracked_id,
        count(*) as mentions,
        count(sentiment_label) as sentiment_scored_mentions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_mentions,
        count(case when sentiment_label = 'negative' then 1 end) as negative_mentions,
        cast(sum(engagements) as {{ dbt.type_bigint() }}) as engagements,
        count(case when expects_response then 1 end) as mentions_expecting_response,
        count(case when expects_response and first_response_at_utc is not null then 1 end) as mentions_answered,
        {{ percentile_cont('case when expects_response then first_response_minutes end', 0.5) }}
            as median_first_response_minutes
    from mentions
    group by week_start_date, platform, brand_id, tracked_id

),

group_weeks as (

    select distinct week_start_date, platform, brand_id
    from aggregated

),

parties as (

    select distinct brand_id, tracked_id, tracked_kind, tracked_name, platform
    from tracked_accounts

),

filled as (

    select
        group_weeks.week_start_date,
        group_weeks.platform,
        group_weeks.brand_id,
        parties.tracked_id,
        parties.tracked_kind,
        parties.tracked_name,
        coalesce(aggregated.mentions, 0) as mentions,
        coalesce(aggregated.sentiment_scored_mentions, 0) as sentiment_scored_mentions,
        coalesce(aggregated.positive_mentions, 0) as positive_mentions,
        coalesce(aggregated.negative_mentions, 0) as negative_mentions,
        coalesce(aggregated.engagements, 0) as engagements,
        coalesce(aggregated.mentions_expecting_response, 0) as mentions_expecting_response,
        coalesce(aggregated.mentions_answered, 0) as mentions_answered,
        aggregated.median_first_response_minutes
    from group_weeks
    inner join parties
        on group_weeks.brand_id = parties.brand_id
        and group_weeks.platform = parties.platform
    left join aggregated
        on group_weeks.week_start_date = aggregated.week_start_date
        and group_weeks.platform = aggregated.platform
        and group_weeks.brand_id = aggregated.brand_id
        and parties.tracked_id = aggregated.tracked_id

),

with_group as (

    select
        *,
        sum(mentions) over (partition by week_start_date, platform, brand_id) as group_mentions
    from filled

),

final as (

    select
        week_start_date,
        platform,
        brand_id,
        tracked_id,
        tracked_kind,
        tracked_name,
        mentions,
        cast(group_mentions as {{ dbt.type_bigint() }}) as group_mentions,
        {{ safe_divide('mentions', 'group_mentions') }} as share_of_mentions,
        sentiment_scored_mentions,
        positive_mentions,
        negative_mentions,
        {{ safe_divide('positive_mentions - negative_mentions', 'sentiment_scored_mentions') }} as net_sentiment,
        engagements,
        {{ safe_divide('engagements', 'mentions') }} as engagement_per_mention,
        mentions_expecting_response,
        mentions_answered,
        {{ safe_divide('mentions_answered', 'mentions_expecting_response') }} as response_rate,
        round(median_first_response_minutes, 2) as median_first_response_minutes
    from with_group

)

select * from final
