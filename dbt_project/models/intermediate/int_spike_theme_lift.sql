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
-- Both populations go through the same CTEs (a spike kind is one more column of the series key), and the trailing
-- window is joined once (windows): the baselines and the vocabulary are sums over it.
{%- set trailing_days = var('spike_trailing_days') | int %}
{%- set prior = var('spike_theme_prior') %}
{#- the columns that name one series: a spike kind's population on one owned account -#}
{%- set series = ['spike_kind', 'platform', 'brand_id', 'account_id'] %}
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

-- every day of a series with each day of its trailing window, the day itself included: the one window join that
-- the baselines and the vocabulary below share
windows as (

    select
        this_day.spike_kind,
        this_day.platform,
        this_day.brand_id,
        this_day.account_id,
        this_day.activity_date,
        earlier.activity_date as window_date
    from day_totals as this_day
    inner join day_totals as earlier
        on {{ same_values('this_day', 'earlier', series) }}
        and earlier.activity_date >= {{ add_days(-1 * trailing_days, 'this_day.activity_date') }}
        and this_day.activity_date >= earlier.activity_date

),

-- each theme seen in a day's window (the day included: the vocabulary) and its interactions before the day
window_themes as (

    select
        windows.spike_kind,
        windows.platform,
        windows.brand_id,
        windows.account_id,
        windows.activity_date,
        seen.theme_id,
        sum(
            case when seen.activity_date < windows.activity_date then seen.theme_interactions else 0 end
        ) as baseline_theme_interactions
    from windows
    inner join theme_days as seen
        on {{ same_values('windows', 'seen', series) }}
        and windows.window_date = seen.activity_date
    group by
        windows.spike_kind, windows.platform, windows.brand_id, windows.account_id, windows.activity_date,
        seen.theme_id

),

total_baselines as (

    select
        windows.spike_kind,
        windows.platform,
        windows.brand_id,
        windows.account_id,
        windows.activity_date,
        sum(case when windows.window_date = windows.activity_date then earlier.themed_interactions else 0 end)
            as themed_interactions,
        sum(case when windows.window_date < windows.activity_date then earlier.themed_interactions else 0 end)
            as baseline_themed_interactions
    from windows
    inner join day_totals as earlier
        on {{ same_values('windows', 'earlier', series) }}
        and windows.window_date = earlier.activity_date
    group by windows.spike_kind, windows.platform, windows.brand_id, windows.account_id, windows.activity_date

),

vocabularies as (

    select
        spike_kind,
        platform,
        brand_id,
        account_id,
        activity_date,
        count(*) as themes_seen
    from window_themes
    group by spike_kind, platform, brand_id, account_id, activity_date

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
        theme_days.spike_kind,
        theme_days.platform,
        theme_days.brand_id,
        theme_days.account_id,
        theme_days.activity_date,
        theme_days.theme_id,
        cast(theme_days.theme_interactions as {{ dbt.type_bigint() }}) as theme_interactions,
        cast(total_baselines.themed_interactions as {{ dbt.type_bigint() }}) as themed_interactions,
        cast(window_themes.baseline_theme_interactions as {{ dbt.type_bigint() }}) as baseline_theme_interactions,
        cast(total_baselines.baseline_themed_interactions as {{ dbt.type_bigint() }}) as baseline_themed_interactions,
        cast(vocabularies.themes_seen as {{ dbt.type_bigint() }}) as themes_seen,
        {{ safe_divide('theme_days.theme_interactions', 'total_baselines.themed_interactions') }} as day_share,
        {{ safe_divide(
            'window_themes.baseline_theme_interactions + ' ~ prior,
            'total_baselines.baseline_themed_interactions + ' ~ prior ~ ' * vocabularies.themes_seen'
        ) }} as baseline_share_smoothed,
        {{ safe_divide(
            'theme_days.theme_interactions * (total_baselines.baseline_themed_interactions + '
                ~ prior ~ ' * vocabularies.themes_seen)',
            'total_baselines.themed_interactions * (window_themes.baseline_theme_interactions + ' ~ prior ~ ')'
        ) }} as lift,
        examples.example_interaction_key_1,
        examples.example_interaction_key_2,
        examples.example_interaction_key_3
    from theme_days
    inner join window_themes
        on {{ same_values('theme_days', 'window_themes', series + ['activity_date', 'theme_id']) }}
    inner join total_baselines
        on {{ same_values('theme_days', 'total_baselines', series + ['activity_date']) }}
    inner join vocabularies
        on {{ same_values('theme_days', 'vocabularies', series + ['activity_date']) }}
    inner join examples
        on {{ same_values('theme_days', 'examples', series + ['activity_date', 'theme_id']) }}

)

select * from final
