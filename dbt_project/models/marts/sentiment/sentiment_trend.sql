{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('activity_date', key_is_day=true)
    )
}}

-- Daily sentiment of audience interactions per platform x brand account, in two scopes: campaign_scope 'account'
-- (every audience interaction of the account, utm_campaign null) and 'campaign' (one series per utm_campaign).
-- Each series runs from its first active day to the newest interaction date in the warehouse; a day without
-- interactions is in the series with zero counts and null shares. Shares divide by sentiment-scored interactions:
-- a text detected in a language the models do not score (models/README.md) has no sentiment and is in no denominator;
-- interactions_not_scored_language counts those texts.
-- Rolling net sentiment is a ratio of sums over the window (not a mean of daily ratios). Spike rule: a day is a
-- negative spike when its negative share exceeds the mean + spike_k x sample standard deviation of the previous
-- spike_trailing_days days' negative shares (days with a share), a volume spike likewise on audience interactions;
-- with fewer than two trailing values there is no sigma and no spike, and a negative spike also needs at least
-- spike_min_interactions sentiment-scored interactions that day (a share of a handful is noise). Sigma has a floor:
-- var('spike_min_share_sigma') for the negative share, sqrt(trailing mean) for the volume (the spread of a count by
-- chance alone), so a calm week with sigma 0 does not make one extra negative a spike. This is the one definition of
-- a spike: the Dagster spike checks read is_negative_spike and is_volume_spike.
--
-- Incremental (replacing whole days, macros/incremental.sql: delete+insert on DuckDB, insert_overwrite of the
-- activity_date partitions on Spark): a run recomputes every series for every day from its first recomputed date on and
-- replaces those days whole. That date is var('min_date') - var('lookback_days') (without min_date: lookback_days
-- before the newest day already here; never after the day after that newest day), or earlier when an audience
-- interaction of an earlier day changed since the last run (fct_interactions re-derives whole threads;
-- interactions_loaded_at_utc is the high-water mark). The unique_key is activity_date rather than the grain:
-- utm_campaign is null in 'account' series and the delete matches keys with '=', which never matches null. The run
-- reads context_days more days of interactions so that the 28-day and trailing windows of recomputed days are exact.
-- A changed configuration rebuilds it from scratch on the next refresh (config.warehouse_hash); logic changes need a
-- --full-refresh. A series here of an account no audience interaction carries any more (an account given by handle
-- whose id has just become known: its series moves to the id) makes the run recompute every day once, without it.
-- min_date: var('min_date'), else the Dagster run's window, when it was given one (as in fct_interactions).
{%- set min_date = var('min_date') or refresh_window('min_date') %}
{%- set lookback_days = var('lookback_days') | int %}
{%- set context_days = [27, var('spike_trailing_days') | int] | max %}
{%- set rolling_7d = "partition by series_key order by activity_date rows between 6 preceding and current row" %}
{%- set rolling_28d = "partition by series_key order by activity_date rows between 27 preceding and current row" %}
{%- set trailing = "partition by series_key order by activity_date rows between "
    ~ (var('spike_trailing_days') | int) ~ " preceding and 1 preceding" %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

audience as (

    select *
    from interactions
    where is_audience and brand_id is not null

),
{% if is_incremental() %}

current_accounts as (

    select distinct platform, brand_account_id as account_id
    from audience

),

-- series of an account no audience interaction carries any more (see the header)
stale_series as (

    select count(*) as stale_rows
    from (select distinct platform, account_id from {{ this }}) as trend
    left join current_accounts
        on trend.platform = current_accounts.platform
        and trend.account_id = current_accounts.account_id
    where current_accounts.account_id is null

),

existing_series as (

    select
        {{ dbt.concat(["platform", "'|'", "account_id", "'|'", "campaign_scope", "'|'",
            "coalesce(utm_campaign, '')"]) }} as series_key,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        min(activity_date) as first_activity_date
    from {{ this }}
    where account_id in (select account_id from current_accounts)
    group by platform, brand_id, account_id, campaign_scope, utm_campaign

),

recompute_window as (

    select
        {% if min_date %}
        {{ add_days(-1 * lookback_days, "cast('" ~ min_date ~ "' as date)") }}
        {% else %}
        (select {{ add_days(-1 * lookback_days, 'max(activity_date)') }} from {{ this }})
        {% endif %}
            as window_start_date,
        -- the day after the newest day here: a min_date past it must not leave a gap in the series
        (select {{ add_days(1, 'max(activity_date)') }} from {{ this }}) as first_missing_date,
        (
            select min(created_date)
            from audience
            where thread_loaded_at_utc > (select max(interactions_loaded_at_utc) from {{ this }})
        ) as first_changed_date

),

recompute_from as (

    -- the earliest of the three (a null first_changed_date: nothing changed); null when the table is empty or holds
    -- a stale series, which recomputes everything
    select
        case
            when (select stale_rows from stale_series) > 0 then null
            when first_changed_date < window_start_date and first_changed_date < first_missing_date
                then first_changed_date
            when first_missing_date < window_start_date then first_missing_date
            else window_start_date
        end as first_recomputed_date
    from recompute_window

),

read_from as (

    select
        first_recomputed_date,
        {{ add_days(-1 * context_days, 'first_recomputed_date') }} as first_read_date
    from recompute_from

),
{% endif %}

{%- set scoped_columns %}
        audience.platform,
        audience.brand_id,
        audience.brand_account_id,
        audience.created_date,
        audience.sentiment_label,
        audience.sentiment_score,
        audience.emotion_label,
        audience.detected_lang,
        audience.thread_loaded_at_utc
{%- endset %}
-- The columns daily reads, listed: audience.* would carry a second utm_campaign, which Spark rejects as ambiguous.
scoped as (

    select
        'account' as campaign_scope,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        {{ scoped_columns }}
    from audience

    union all

    select
        'campaign' as campaign_scope,
        audience.utm_campaign,
        {{ scoped_columns }}
    from audience
    where audience.utm_campaign is not null

),

daily as (

    select
        {{ dbt.concat(["platform", "'|'", "brand_account_id", "'|'", "campaign_scope", "'|'",
            "coalesce(utm_campaign, '')"]) }} as series_key,
        platform,
        brand_id,
        brand_account_id as account_id,
        campaign_scope,
        utm_campaign,
        created_date as activity_date,
        count(*) as audience_interactions,
        count(case when sentiment_label is not null then 1 end) as sentiment_scored_interactions,
        -- enriched (a language was detected) but not scored: the one reason is the text's language
        count(case when detected_lang is not null and sentiment_label is null then 1 end)
            as interactions_not_scored_language,
        count(case when sentiment_label = 'positive' then 1 end) as positive_interactions,
        count(case when sentiment_label = 'neutral' then 1 end) as neutral_interactions,
        count(case when sentiment_label = 'negative' then 1 end) as negative_interactions,
        {{ exact_sum('sentiment_score') }} as sentiment_score_sum,
        count(case when emotion_label is not null then 1 end) as emotion_labelled_interactions,
        count(case when emotion_label = 'anger' then 1 end) as anger_interactions,
        count(case when emotion_label = 'joy' then 1 end) as joy_interactions,
        count(case when emotion_label = 'optimism' then 1 end) as optimism_interactions,
        count(case when emotion_label = 'sadness' then 1 end) as sadness_interactions,
        max(thread_loaded_at_utc) as interactions_loaded_at_utc
    from scoped
    {% if is_incremental() %}
    where created_date >= (select first_read_date from read_from)
        or (select first_read_date from read_from) is null
    {% endif %}
    group by
        platform, brand_id, brand_account_id, campaign_scope, utm_campaign, created_date

),

series_bounds as (

    select
        series_key,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        {% if is_incremental() %}
        -- a series older than the days read starts at the first day read (its earlier days are not needed)
        case
            when min(activity_date) < (select first_read_date from read_from)
                then (select first_read_date from read_from)
            else min(activity_date)
        end as first_activity_date,
        {% else %}
        min(activity_date) as first_activity_date,
        {% endif %}
        (select max(interactions.created_date) from interactions) as last_activity_date
    from (
        select series_key, platform, brand_id, account_id, campaign_scope, utm_campaign, activity_date
        from daily
        {% if is_incremental() %}
        -- series already here with no interactions in the days read still run to the newest date
        union all
        select series_key, platform, brand_id, account_id, campaign_scope, utm_campaign,
            first_activity_date as activity_date
        from existing_series
        {% endif %}
    ) as series_days
    group by series_key, platform, brand_id, account_id, campaign_scope, utm_campaign

),

spine as (

    {{ date_spine_per_series(
        'series_bounds',
        ['series_key', 'platform', 'brand_id', 'account_id', 'campaign_scope', 'utm_campaign'],
        'first_activity_date',
        'last_activity_date',
        'activity_date'
    ) }}

),

filled as (

    select
        spine.series_key,
        spine.activity_date,
        spine.platform,
        spine.brand_id,
        spine.account_id,
        spine.campaign_scope,
        spine.utm_campaign,
        coalesce(daily.audience_interactions, 0) as audience_interactions,
        coalesce(daily.sentiment_scored_interactions, 0) as sentiment_scored_interactions,
        coalesce(daily.interactions_not_scored_language, 0) as interactions_not_scored_language,
        coalesce(daily.positive_interactions, 0) as positive_interactions,
        coalesce(daily.neutral_interactions, 0) as neutral_interactions,
        coalesce(daily.negative_interactions, 0) as negative_interactions,
        coalesce(daily.sentiment_score_sum, 0) as sentiment_score_sum,
        coalesce(daily.emotion_labelled_interactions, 0) as emotion_labelled_interactions,
        coalesce(daily.anger_interactions, 0) as anger_interactions,
        coalesce(daily.joy_interactions, 0) as joy_interactions,
        coalesce(daily.optimism_interactions, 0) as optimism_interactions,
        coalesce(daily.sadness_interactions, 0) as sadness_interactions,
        daily.interactions_loaded_at_utc
    from spine
    left join daily
        on spine.series_key = daily.series_key
        and spine.activity_date = daily.activity_date

),

shares as (

    select
        *,
        {{ safe_divide('positive_interactions', 'sentiment_scored_interactions') }} as positive_share,
        {{ safe_divide('negative_interactions', 'sentiment_scored_interactions') }} as negative_share
    from filled

),

windowed as (

    select
        *,
        sum(positive_interactions) over ({{ rolling_7d }}) as positive_interactions_7d,
        sum(negative_interactions) over ({{ rolling_7d }}) as negative_interactions_7d,
        sum(sentiment_scored_interactions) over ({{ rolling_7d }}) as sentiment_scored_interactions_7d,
        sum(positive_interactions) over ({{ rolling_28d }}) as positive_interactions_28d,
        sum(negative_interactions) over ({{ rolling_28d }}) as negative_interactions_28d,
        sum(sentiment_scored_interactions) over ({{ rolling_28d }}) as sentiment_scored_interactions_28d,
        {{ round_rate('avg(negative_share) over (' ~ trailing ~ ')') }} as negative_share_trailing_mean,
        {{ round_rate('stddev_samp(negative_share) over (' ~ trailing ~ ')') }}
            as negative_share_trailing_stddev,
        {{ round_rate('avg(cast(audience_interactions as ' ~ type_double() ~ ')) over (' ~ trailing ~ ')') }}
            as volume_trailing_mean,
        {{ round_rate('stddev_samp(cast(audience_interactions as ' ~ type_double() ~ ')) over (' ~ trailing ~ ')') }}
            as volume_trailing_stddev
    from shares

),

final as (

    select
        activity_date,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        audience_interactions,
        sentiment_scored_interactions,
        interactions_not_scored_language,
        positive_interactions,
        neutral_interactions,
        negative_interactions,
        positive_share,
        negative_share,
        {{ round_rate('positive_share - negative_share') }} as net_sentiment,
        sentiment_score_sum,
        {{ safe_divide('sentiment_score_sum', 'sentiment_scored_interactions') }} as mean_sentiment_score,
        emotion_labelled_interactions,
        anger_interactions,
        joy_interactions,
        optimism_interactions,
        sadness_interactions,
        {{ safe_divide('anger_interactions', 'emotion_labelled_interactions') }} as anger_share,
        {{ safe_divide('joy_interactions', 'emotion_labelled_interactions') }} as joy_share,
        {{ safe_divide('optimism_interactions', 'emotion_labelled_interactions') }} as optimism_share,
        {{ safe_divide('sadness_interactions', 'emotion_labelled_interactions') }} as sadness_share,
        {{ safe_divide('positive_interactions_7d - negative_interactions_7d', 'sentiment_scored_interactions_7d') }}
            as net_sentiment_7d,
        {{ safe_divide('positive_interactions_28d - negative_interactions_28d', 'sentiment_scored_interactions_28d') }}
            as net_sentiment_28d,
        negative_share_trailing_mean,
        negative_share_trailing_stddev,
        sentiment_scored_interactions >= {{ var('spike_min_interactions') }}
            and coalesce(
                negative_share > negative_share_trailing_mean + {{ var('spike_k') }} * case
                    when negative_share_trailing_stddev < {{ var('spike_min_share_sigma') }}
                        then {{ var('spike_min_share_sigma') }}
                    else negative_share_trailing_stddev
                end,
                false
            ) as is_negative_spike,
        volume_trailing_mean,
        volume_trailing_stddev,
        coalesce(
            audience_interactions > volume_trailing_mean + {{ var('spike_k') }} * case
                when volume_trailing_stddev < sqrt(volume_trailing_mean) then sqrt(volume_trailing_mean)
                else volume_trailing_stddev
            end,
            false
        ) as is_volume_spike,
        interactions_loaded_at_utc
    from windowed
    {% if is_incremental() %}
    where activity_date >= (select first_recomputed_date from read_from)
        or (select first_recomputed_date from read_from) is null
    {% endif %}

)

select * from final
