-- Per day (UTC date) x platform x brand account: service levels against the brand's support hours and response
-- targets (fct_message_service_levels). Messages received that day: first response in business minutes
-- (median, p90) beside the same in wall-clock minutes, answered within target vs breached (answered late, or
-- unanswered and already overdue at the newest data; the still pending ones count in neither), answered only after
-- the author wrote again. At the end of the day: the backlog, messages received so far, unanswered and older than
-- their target. A row for every day with a message received or a backlog.
with

-- account_key: the account, '' for a message attributed to the brand but no account of it (null would not join)
messages as (

    select
        *,
        coalesce(account_id, '') as account_key
    from {{ ref('fct_message_service_levels') }}

),

data_end as (

    select max(data_end_date) as data_end_date from messages

),

received as (

    select
        created_date as activity_date,
        platform,
        brand_id,
        account_key,
        count(*) as audience_messages_received,
        count(first_brand_response_at_utc) as audience_messages_answered,
        {{ percentile_cont('first_response_business_minutes', 0.5) }} as median_first_response_business_minutes,
        {{ percentile_cont('first_response_business_minutes', 0.9) }} as p90_first_response_business_minutes,
        {{ percentile_cont('first_response_wall_clock_minutes', 0.5) }} as median_first_response_wall_clock_minutes,
        {{ percentile_cont('first_response_wall_clock_minutes', 0.9) }} as p90_first_response_wall_clock_minutes,
        count(target_business_minutes) as messages_with_target,
        min(target_business_minutes) as min_target_business_minutes,
        max(target_business_minutes) as max_target_business_minutes,
        count(case when is_within_target then 1 end) as answered_within_target,
        count(case when not is_within_target then 1 end) as target_breached,
        count(case when is_answered_after_follow_up then 1 end) as answered_after_follow_up
    from messages
    group by created_date, platform, brand_id, account_key

),

-- a message is in the backlog at the end of every UTC day from the day it became overdue (before the newest data)
-- until the day before it was answered: +1 on the first day, -1 on the day of the answer (none when answered the
-- day it became overdue)
backlog_changes as (

    select
        overdue_date as activity_date,
        platform,
        brand_id,
        account_key,
        1 as backlog_change
    from messages
    where overdue_at_utc < data_end_at_utc
        and (first_brand_response_date is null or first_brand_response_date > overdue_date)
    union all
    select
        first_brand_response_date as activity_date,
        platform,
        brand_id,
        account_key,
        -1 as backlog_change
    from messages
    where overdue_at_utc < data_end_at_utc
        and first_brand_response_date > overdue_date

),

accounts as (

    select
        received.platform,
        received.brand_id,
        received.account_key,
        min(received.activity_date) as first_date,
        max(data_end.data_end_date) as last_date
    from received
    cross join data_end
    group by received.platform, received.brand_id, received.account_key

),

account_days as (

    {{ date_spine_per_series('accounts', ['platform', 'brand_id', 'account_key'], 'first_date', 'last_date',
                             'activity_date') }}

),

backlog as (

    select
        account_days.activity_date,
        account_days.platform,
        account_days.brand_id,
        account_days.account_key,
        sum(coalesce(backlog_changes.backlog_change, 0)) as backlog_change
    from account_days
    left join backlog_changes
        on account_days.platform = backlog_changes.platform
        and account_days.brand_id = backlog_changes.brand_id
        and account_days.account_key = backlog_changes.account_key
        and account_days.activity_date = backlog_changes.activity_date
    group by account_days.activity_date, account_days.platform, account_days.brand_id, account_days.account_key

),

backlog_running as (

    select
        *,
        sum(backlog_change) over (
            partition by platform, brand_id, account_key order by activity_date rows unbounded preceding
        ) as overdue_backlog_at_day_end
    from backlog

),

final as (

    select
        backlog_running.activity_date,
        backlog_running.platform,
        backlog_running.brand_id,
        nullif(backlog_running.account_key, '') as account_id,
        coalesce(received.audience_messages_received, 0) as audience_messages_received,
        coalesce(received.audience_messages_answered, 0) as audience_messages_answered,
        round(received.median_first_response_business_minutes, 2) as median_first_response_business_minutes,
        round(received.p90_first_response_business_minutes, 2) as p90_first_response_business_minutes,
        round(received.median_first_response_wall_clock_minutes, 2) as median_first_response_wall_clock_minutes,
        round(received.p90_first_response_wall_clock_minutes, 2) as p90_first_response_wall_clock_minutes,
        coalesce(received.messages_with_target, 0) as messages_with_target,
        received.min_target_business_minutes,
        received.max_target_business_minutes,
        coalesce(received.answered_within_target, 0) as answered_within_target,
        coalesce(received.target_breached, 0) as target_breached,
        {{ safe_divide('received.answered_within_target',
                       'received.answered_within_target + received.target_breached') }} as within_target_rate,
        cast(backlog_running.overdue_backlog_at_day_end as bigint) as overdue_backlog_at_day_end,
        coalesce(received.answered_after_follow_up, 0) as answered_after_follow_up
    from backlog_running
    left join received
        on backlog_running.platform = received.platform
        and backlog_running.brand_id = received.brand_id
        and backlog_running.account_key = received.account_key
        and backlog_running.activity_date = received.activity_date
    where received.activity_date is not null
        or backlog_running.overdue_backlog_at_day_end > 0

)

select * from final
