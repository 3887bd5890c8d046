-- How over-represented each theme is on a day of an owned account against the trailing days before it: the input of
-- spike_explanations. Two populations, one per spike kind of sentiment_trend: 'volume' counts every themed audience
-- interaction of the account, 'negative' only those labelled negative (what people were negative about). Only
-- themes present on the day have a row (a theme can only explain a day it appears on).
--   day_share            theme_interactions / themed_interactions (the day's themed interactions of the population)
--   smoothed baseline    (baseline_theme_interactions + p) / (baseline_themed_interactions + p x themes_seen): the
--                        theme's share of the previous spike_trailing_days days, with p = var('spike_theme_prior')
--                        pseudo-interactions added to every theme seen on the day or in those days (themes_seen),
--                        so a theme absent from the baseline has a small share, never 0
--   lift                 day_share / smoothed baseline share; 1 = as usual, 3 = three times its usual share
-- The window is the same calendar days as the spike rule's (the spike_trailing_days days before, the day excluded).
{%- set trailing_days = var('spike_trailing_days') | int %}
{%- set prior = var('spike_theme_prior') %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

audience as (

    select
        platform,
        brand_id,
        brand_account_id as account_id,
        created_date as activity_date,
        theme_id,
        sentiment_label,
        interaction_key
    from interactions
    where is_audience and brand_id is not null and theme_id is not null

),

populations as (

    select 'volume' as spike_kind, audience.*
    from audience

    union all

    select 'negative' as spike_kind, audience.*
    from audience
    where sentiment_label = 'negative'

),

theme_days as (

    select
        spike_kind,
        platform,
        brand_id,
        account_id,
        activity_date,
        theme_id,
        count(*) as theme_interactions
    from populations
    group by spike_kind, platform, brand_id, account_id, activity_date, theme_id

),

day_totals as (

    select
        spike_kind,
        platform,
        brand_id,
        account_id,
        activity_date,
        sum(theme_interactions) as themed_interactions
    from theme_days
    group by spike_kind, platform, brand_id, account_id, activity_date

),

theme_baselines as (

    select
        this_day.spike_kind,
        this_day.platform,
        this_day.brand_id,
        this_day.account_id,
        this_day.activity_date,
        this_day.theme_id,
        this_day.theme_interactions,
        coalesce(sum(earlier.theme_interactions), 0) as baseline_theme_interactions
    from theme_days as this_day
    left join theme_days as earlier
        on this_day.spike_kind = earlier.spike_kind
        and this_day.platform = earlier.platform
        and this_day.brand_id = earlier.brand_id
        and this_day.account_id = earlier.account_id
        and this_day.theme_id = earlier.theme_id
        and earlier.activity_date >= {{ add_days(-1 * trailing_days, 'this_day.activity_date') }}
        and this_day.activity_date > earlier.activity_date
    group by
        this_day.spike_kind, this_day.platform, this_day.brand_id, this_day.account_id, this_day.activity_date,
        this_day.theme_id, this_day.theme_interactions

),

total_baselines as (

    select
        this_day.spike_kind,
        this_day.platform,
        this_day.brand_id,
        this_day.account_id,
        this_day.activity_date,
        this_day.themed_interactions,
        coalesce(sum(earlier.themed_interactions), 0) as baseline_themed_interactions
    from day_totals as this_day
    left join day_totals as earlier
        on this_day.spike_kind = earlier.spike_kind
        and this_day.platform = earlier.platform
        and this_day.brand_id = earlier.brand_id
        and this_day.account_id = earlier.account_id
        and earlier.activity_date >= {{ add_days(-1 * trailing_days, 'this_day.activity_date') }}
        and this_day.activity_date > earlier.activity_date
    group by
        this_day.spike_kind, this_day.platform, this_day.brand_id, this_day.account_id, this_day.activity_date,
        this_day.themed_interactions

),

vocabularies as (

    -- the themes seen on the day or in its trailing window: each gets the prior's pseudo-interactions
    select
        this_day.spike_kind,
        this_day.platform,
        this_day.brand_id,
        this_day.account_id,
        this_day.activity_date,
        count(distinct seen.theme_id) as themes_seen
    from day_totals as this_day
    inner join theme_days as seen
        on this_day.spike_kind = seen.spike_kind
        and this_day.platform = seen.platform
        and this_day.brand_id = seen.brand_id
        and this_day.account_id = seen.account_id
        and seen.activity_date >= {{ add_days(-1 * trailing_days, 'this_day.activity_date') }}
        and this_day.activity_date >= seen.activity_date
    group by this_day.spike_kind, this_day.platform, this_day.brand_id, this_day.account_id, this_day.activity_date

),

examples_ranked as (

    select
        spike_kind,
        platform,
        brand_id,
        account_id,
        activity_date,
        theme_id,
        interaction_key,
        row_number() over (
            partition by spike_kind, platform, brand_id, account_id, activity_date, theme_id
            order by interaction_key
        ) as example_rank
    from populations

),

examples as (

    select
        spike_kind,
        platform,
        brand_id,
        account_id,
        activity_date,
        theme_id,
        max(case when example_rank = 1 then interaction_key end) as example_interaction_key_1,
        max(case when example_rank = 2 then interaction_key end) as example_interaction_key_2,
        max(case when example_rank = 3 then interaction_key end) as example_interaction_key_3
    from examples_ranked
    where example_rank <= 3
    group by spike_kind, platform, brand_id, account_id, activity_date, theme_id

),

final as (

    select
        theme_baselines.spike_kind,
        theme_baselines.platform,
        theme_baselines.brand_id,
        theme_baselines.account_id,
        theme_baselines.activity_date,
        theme_baselines.theme_id,
        cast(theme_baselines.theme_interactions as {{ dbt.type_bigint() }}) as theme_interactions,
        cast(total_baselines.themed_interactions as {{ dbt.type_bigint() }}) as themed_interactions,
        cast(theme_baselines.baseline_theme_interactions as {{ dbt.type_bigint() }}) as baseline_theme_interactions,
        cast(total_baselines.baseline_themed_interactions as {{ dbt.type_bigint() }}) as baseline_themed_interactions,
        cast(vocabularies.themes_seen as {{ dbt.type_bigint() }}) as themes_seen,
        {{ safe_divide('theme_baselines.theme_interactions', 'total_baselines.themed_interactions') }} as day_share,
        {{ safe_divide(
            'theme_baselines.baseline_theme_interactions + ' ~ prior,
            'total_baselines.baseline_themed_interactions + ' ~ prior ~ ' * vocabularies.themes_seen'
        ) }} as baseline_share_smoothed,
        {{ safe_divide(
            'theme_baselines.theme_interactions * (total_baselines.baseline_themed_interactions + '
                ~ prior ~ ' * vocabularies.themes_seen)',
            'total_baselines.themed_interactions * (theme_baselines.baseline_theme_interactions + ' ~ prior ~ ')'
        ) }} as lift,
        examples.example_interaction_key_1,
        examples.example_interaction_key_2,
        examples.example_interaction_key_3
    from theme_baselines
    inner join total_baselines
        on theme_baselines.spike_kind = total_baselines.spike_kind
        and theme_baselines.platform = total_baselines.platform
        and theme_baselines.brand_id = total_baselines.brand_id
        and theme_baselines.account_id = total_baselines.account_id
        and theme_baselines.activity_date = total_baselines.activity_date
    inner join vocabularies
        on theme_baselines.spike_kind = vocabularies.spike_kind
        and theme_baselines.platform = vocabularies.platform
        and theme_baselines.brand_id = vocabularies.brand_id
        and theme_baselines.account_id = vocabularies.account_id
        and theme_baselines.activity_date = vocabularies.activity_date
    inner join examples
        on theme_baselines.spike_kind = examples.spike_kind
        and theme_baselines.platform = examples.platform
        and theme_baselines.brand_id = examples.brand_id
        and theme_baselines.account_id = examples.account_id
        and theme_baselines.activity_date = examples.activity_date
        and theme_baselines.theme_id = examples.theme_id

)

select * from final
