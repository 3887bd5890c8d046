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
--   leading themes          the themes of the most mentions of the party that week, ties by theme_id: the first
--                           one's id and count, the first three's labels. A mention's theme is its text's theme in
--                           the group's own themes (enrichment.theme_assignments of the group's brand_id: the brand
--                           and the competitors it tracks are clustered together, models/theme_tables.py), so every
--                           party of a group is described by the same themes, whatever brand (if any) the owned
--                           attribution gives the interaction; a theme without a label yet shows its id
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

themes as (

    select * from {{ ref('stg_enrichment__themes') }}

),

theme_assignments as (

    select * from {{ ref('stg_enrichment__theme_assignments') }}

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
        theme_assignments.theme_id,
        coalesce(interactions.like_count, 0) + coalesce(interactions.reply_count, 0)
            + coalesce(interactions.share_count, 0) + coalesce(interactions.quote_count, 0) as engagements
    from tracked
    left join interactions
        on tracked.interaction_key = interactions.interaction_key
    left join theme_assignments
        on interactions.text_hash = theme_assignments.text_hash
        and tracked.brand_id = theme_assignments.brand_id

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

theme_ranks as (

    select
        week_start_date,
        platform,
        brand_id,
        tracked_id,
        theme_id,
        count(*) as theme_mentions,
        row_number() over (
            partition by week_start_date, platform, brand_id, tracked_id order by count(*) desc, theme_id
        ) as theme_rank
    from mentions
    where theme_id is not null
    group by week_start_date, platform, brand_id, tracked_id, theme_id

),

leading_themes as (

    select
        theme_ranks.week_start_date,
        theme_ranks.platform,
        theme_ranks.brand_id,
        theme_ranks.tracked_id,
        max(case when theme_ranks.theme_rank = 1 then theme_ranks.theme_id end) as leading_theme_id,
        max(case when theme_ranks.theme_rank = 1 then theme_ranks.theme_mentions end) as leading_theme_mentions,
        max(case when theme_ranks.theme_rank = 1 then coalesce(themes.theme_label, theme_ranks.theme_id) end)
            as first_label,
        max(case when theme_ranks.theme_rank = 2 then coalesce(themes.theme_label, theme_ranks.theme_id) end)
            as second_label,
        max(case when theme_ranks.theme_rank = 3 then coalesce(themes.theme_label, theme_ranks.theme_id) end)
            as third_label
    from theme_ranks
    left join themes
        on theme_ranks.theme_id = themes.theme_id
        and theme_ranks.brand_id = themes.brand_id
    where theme_ranks.theme_rank <= 3
    group by theme_ranks.week_start_date, theme_ranks.platform, theme_ranks.brand_id, theme_ranks.tracked_id

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
        aggregated.median_first_response_minutes,
        leading_themes.leading_theme_id,
        leading_themes.leading_theme_mentions,
        leading_themes.first_label,
        leading_themes.second_label,
        leading_themes.third_label
    from group_weeks
    inner join parties
        on group_weeks.brand_id = parties.brand_id
        and group_weeks.platform = parties.platform
    left join aggregated
        on group_weeks.week_start_date = aggregated.week_start_date
        and group_weeks.platform = aggregated.platform
        and group_weeks.brand_id = aggregated.brand_id
        and parties.tracked_id = aggregated.tracked_id
    left join leading_themes
        on group_weeks.week_start_date = leading_themes.week_start_date
        and group_weeks.platform = leading_themes.platform
        and group_weeks.brand_id = leading_themes.brand_id
        and parties.tracked_id = leading_themes.tracked_id

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
        round(median_first_response_minutes, 2) as median_first_response_minutes,
        leading_theme_id,
        cast(coalesce(leading_theme_mentions, 0) as {{ dbt.type_bigint() }}) as leading_theme_mentions,
        -- labels in rank order, ' | ' between them (a label holds commas); null when no mention has a theme
        case when first_label is not null then {{ dbt.concat([
            'first_label',
            "case when second_label is not null then " ~ dbt.concat(["' | '", 'second_label']) ~ " else '' end",
            "case when third_label is not null then " ~ dbt.concat(["' | '", 'third_label']) ~ " else '' end",
        ]) }} end as leading_theme_labels
    from with_group

)

select * from final
