-- Cohort retention per platform x brand account: people grouped by the month of their first audience interaction
-- with the account (cohort_month); for every month from the cohort month to the newest month in the warehouse, how
-- many of them interacted with the account again (active_engagers) and the share of the cohort that is
-- (retention_rate = active_engagers / cohort_size; 1 in month 0 by definition). The cohort of the warehouse's first
-- observed month also holds everyone who first engaged before observation began (includes_earlier_engagers): its
-- rates are kept, flagged, since a reader may still want them, but it is not a first-engagement cohort.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

person_months as (

    select distinct
        platform,
        brand_id,
        brand_account_id as account_id,
        author_id as person_id,
        {{ month_start('created_date') }} as activity_month
    from interactions
    where is_audience and brand_id is not null

),

first_months as (

    select platform, brand_id, account_id, person_id, min(activity_month) as cohort_month
    from person_months
    group by platform, brand_id, account_id, person_id

),

cohorts as (

    select
        platform,
        brand_id,
        account_id,
        cohort_month,
        count(*) as cohort_size,
        (select {{ month_start('min(created_date)') }} from interactions) as first_observed_month,
        (select {{ month_start('max(created_date)') }} from interactions) as last_month
    from first_months
    group by platform, brand_id, account_id, cohort_month

),

cohort_spine as (

    {{ date_spine_per_series(
        'cohorts', ['platform', 'brand_id', 'account_id', 'cohort_month', 'cohort_size', 'first_observed_month'],
        'cohort_month', 'last_month',
        'activity_month', datepart='month'
    ) }}

),

active as (

    select
        first_months.platform,
        first_months.account_id,
        first_months.cohort_month,
        person_months.activity_month,
        count(*) as active_engagers
    from first_months
    inner join person_months
        on first_months.platform = person_months.platform
        and first_months.account_id = person_months.account_id
        and first_months.person_id = person_months.person_id
    group by first_months.platform, first_months.account_id, first_months.cohort_month, person_months.activity_month

),

final as (

    select
        cohort_spine.cohort_month,
        cohort_spine.activity_month,
        {{ dbt.datediff('cohort_spine.cohort_month', 'cohort_spine.activity_month', 'month') }}
            as months_since_first_engagement,
        cohort_spine.platform,
        cohort_spine.brand_id,
        cohort_spine.account_id,
        cohort_spine.cohort_size,
        cohort_spine.cohort_month = cohort_spine.first_observed_month as includes_earlier_engagers,
        coalesce(active.active_engagers, 0) as active_engagers,
        {{ safe_divide('coalesce(active.active_engagers, 0)', 'cohort_spine.cohort_size') }} as retention_rate
    from cohort_spine
    left join active
        on cohort_spine.platform = active.platform
        and cohort_spine.account_id = active.account_id
        and cohort_spine.cohort_month = active.cohort_month
        and cohort_spine.activity_month = active.activity_month

)

select * from final
