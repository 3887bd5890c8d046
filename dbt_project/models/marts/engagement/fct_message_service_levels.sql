-- Per audience message (fct_interactions.is_audience_message) of a configured brand: its first brand response in
-- business minutes (the minutes of the brand's support hours between the message and the response), its response
-- target, whether the response came within it, when the message became overdue, and whether its author wrote again
-- before the brand answered.
--
-- Business minutes: a spine of the brand's local days, each with its open interval as UTC instants (local opening and
-- closing converted through the brand's time zone on that very day, so a daylight-saving change moves them; closed
-- weekdays and holidays have none). Each day carries the open seconds of every earlier day, so the business position
-- of an instant is that running total plus the open seconds of its own day before it, and the business time between
-- two instants is the difference of their positions. Without support hours a brand is open every minute (UTC days,
-- 00:00-24:00): business minutes = wall-clock minutes.
-- Target: the strictest of the brand's targets that apply (kind any always; question / complaint when the intent
-- heads flag it), a platform's own target replacing the every-platform one of the same kind. No target: null.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

brands as (

    select * from {{ ref('stg_config__brands') }}

),

support_hours as (

    select * from {{ ref('stg_config__support_hours') }}

),

support_holidays as (

    select * from {{ ref('stg_config__support_holidays') }}

),

response_targets as (

    select * from {{ ref('stg_config__response_targets') }}

),

audience_messages as (

    select
        interaction_key,
        platform,
        interaction_id,
        author_id,
        conversation_id,
        brand_id,
        brand_account_id as account_id,
        created_at_utc,
        created_date,
        first_brand_response_at_utc,
        first_brand_response_minutes,
        coalesce(is_question, false) as is_question,
        coalesce(is_complaint, false) as is_complaint
    from interactions
    where is_audience_message
        and brand_id is not null

),

-- the newest instant the warehouse knows: an unanswered message is judged (overdue or still pending) at it
data_end as (

    select
        max(created_at_utc) as data_end_at_utc,
        max(created_date) as data_end_date
    from interactions

),

brands_with_hours as (

    select distinct brand_id, time_zone from support_hours

),

week_days as (

    {% for day in range(1, 8) -%}
    select {{ day }} as iso_day_of_week{{ ' union all' if not loop.last }}
    {% endfor %}

),

-- the configured hours, and 24x7 in UTC for a brand without any
brand_hours as (

    select brand_id, time_zone, iso_day_of_week, opens_minute, closes_minute from support_hours
    union all
    select brands.brand_id, 'UTC' as time_zone, week_days.iso_day_of_week, 0 as opens_minute, 1440 as closes_minute
    from brands
    cross join week_days
    left join brands_with_hours
        on brands.brand_id = brands_with_hours.brand_id
    where brands_with_hours.brand_id is null

),

brand_zones as (

    select distinct brand_id, time_zone from brand_hours

),

-- local days from the day before a brand's first message to the day after the newest data (a response or an
-- overdue instant falls in between)
spine_bounds as (

    select
        audience_messages.brand_id,
        {{ add_days(-1, 'min(audience_messages.created_date)') }} as first_local_date,
        {{ add_days(1, 'max(data_end.data_end_date)') }} as last_local_date
    from audience_messages
    cross join data_end
    group by audience_messages.brand_id

),

local_days as (

    {{ date_spine_per_series('spine_bounds', ['brand_id'], 'first_local_date', 'last_local_date', 'local_date') }}

),

open_intervals as (

    select
        local_days.brand_id,
        local_days.local_date,
        {{ local_to_utc(add_seconds('brand_hours.opens_minute * 60', 'cast(local_days.local_date as timestamp)'),
                        'brand_hours.time_zone') }} as opens_at_utc,
        {{ local_to_utc(add_seconds('brand_hours.closes_minute * 60', 'cast(local_days.local_date as timestamp)'),
                        'brand_hours.time_zone') }} as closes_at_utc
    from local_days
    inner join brand_hours
        on local_days.brand_id = brand_hours.brand_id
        and brand_hours.iso_day_of_week = {{ iso_day_of_week('local_days.local_date') }}
    left join support_holidays
        on local_days.brand_id = support_holidays.brand_id
        and local_days.local_date = support_holidays.holiday_date
    where support_holidays.brand_id is null

),

business_days as (

    select
        local_days.brand_id,
        local_days.local_date,
        open_intervals.opens_at_utc,
        open_intervals.closes_at_utc,
        coalesce({{ dbt.datediff('open_intervals.opens_at_utc', 'open_intervals.closes_at_utc', 'second') }}, 0)
            as open_seconds
    from local_days
    left join open_intervals
        on local_days.brand_id = open_intervals.brand_id
        and local_days.local_date = open_intervals.local_date

),

business_days_accumulated as (

    select
        *,
        coalesce(sum(open_seconds) over (
            partition by brand_id order by local_date rows between unbounded preceding and 1 preceding
        ), 0) as open_seconds_before
    from business_days

),

messages_localized as (

    select
        audience_messages.*,
        cast({{ utc_to_local('audience_messages.created_at_utc', 'brand_zones.time_zone') }} as date)
            as created_local_date,
        cast({{ utc_to_local('audience_messages.first_brand_response_at_utc', 'brand_zones.time_zone') }} as date)
            as response_local_date
    from audience_messages
    inner join brand_zones
        on audience_messages.brand_id = brand_zones.brand_id

),

messages_positioned as (

    select
        messages_localized.*,
        {{ business_position('messages_localized.created_at_utc', 'received_day') }} as received_position,
        {{ business_position('messages_localized.first_brand_response_at_utc', 'response_day') }}
            as response_position
    from messages_localized
    inner join business_days_accumulated as received_day
        on messages_localized.brand_id = received_day.brand_id
        and messages_localized.created_local_date = received_day.local_date
    left join business_days_accumulated as response_day
        on messages_localized.brand_id = response_day.brand_id
        and messages_localized.response_local_date = response_day.local_date

),

targets_applying as (

    select
        audience_messages.interaction_key,
        response_targets.target_business_minutes,
        row_number() over (
            partition by audience_messages.interaction_key, response_targets.message_kind
            order by case when response_targets.platform is null then 1 else 0 end
        ) as specificity_rank
    from audience_messages
    inner join response_targets
        on audience_messages.brand_id = response_targets.brand_id
    where (response_targets.platform = audience_messages.platform or response_targets.platform is null)
        and (
            response_targets.message_kind = 'any'
            or (response_targets.message_kind = 'question' and audience_messages.is_question)
            or (response_targets.message_kind = 'complaint' and audience_messages.is_complaint)
        )

),

message_targets as (

    select
        interaction_key,
        min(target_business_minutes) as target_business_minutes
    from targets_applying
    where specificity_rank = 1
    group by interaction_key

),

-- the author's later audience messages in the same conversation, written before the brand's first response
follow_ups as (

    select
        audience_messages.interaction_key,
        count(*) as follow_ups_before_response
    from audience_messages
    inner join audience_messages as later_messages
        on audience_messages.platform = later_messages.platform
        and audience_messages.brand_id = later_messages.brand_id
        and audience_messages.author_id = later_messages.author_id
        and coalesce(audience_messages.conversation_id, audience_messages.interaction_id)
            = coalesce(later_messages.conversation_id, later_messages.interaction_id)
    where later_messages.created_at_utc > audience_messages.created_at_utc
        and later_messages.created_at_utc < audience_messages.first_brand_response_at_utc
    group by audience_messages.interaction_key

),

timed as (

    select
        messages_positioned.*,
        messages_positioned.response_position - messages_positioned.received_position as business_response_seconds,
        message_targets.target_business_minutes,
        messages_positioned.received_position + message_targets.target_business_minutes * 60 as target_position,
        follow_ups.interaction_key is not null as is_answered_after_follow_up
    from messages_positioned
    left join message_targets
        on messages_positioned.interaction_key = message_targets.interaction_key
    left join follow_ups
        on messages_positioned.interaction_key = follow_ups.interaction_key

),

-- when the business age passes the target: inside the first open day that is not over when the target is reached;
-- only for messages answered late or not at all (the others are never overdue)
overdue as (

    select
        timed.interaction_key,
        {{ add_seconds('timed.target_position - business_days_accumulated.open_seconds_before',
                       'business_days_accumulated.opens_at_utc') }} as overdue_at_utc
    from timed
    inner join business_days_accumulated
        on timed.brand_id = business_days_accumulated.brand_id
    where (timed.first_brand_response_at_utc is null
            or timed.business_response_seconds > timed.target_business_minutes * 60)
        and business_days_accumulated.local_date >= timed.created_local_date
        and business_days_accumulated.open_seconds_before <= timed.target_position
        and timed.target_position
            < business_days_accumulated.open_seconds_before + business_days_accumulated.open_seconds

),

final as (

    select
        timed.interaction_key,
        timed.platform,
        timed.brand_id,
        timed.account_id,
        timed.created_at_utc,
        timed.created_date,
        timed.is_question,
        timed.is_complaint,
        timed.first_brand_response_at_utc,
        cast(timed.first_brand_response_at_utc as date) as first_brand_response_date,
        timed.first_brand_response_minutes as first_response_wall_clock_minutes,
        round(cast(timed.business_response_seconds as {{ type_double() }}) / 60.0, 2)
            as first_response_business_minutes,
        timed.target_business_minutes,
        overdue.overdue_at_utc,
        cast(overdue.overdue_at_utc as date) as overdue_date,
        case
            when timed.target_business_minutes is null then null
            when timed.first_brand_response_at_utc is not null
                then timed.business_response_seconds <= timed.target_business_minutes * 60
            when overdue.overdue_at_utc < data_end.data_end_at_utc then false
        end as is_within_target,
        timed.is_answered_after_follow_up,
        data_end.data_end_at_utc,
        data_end.data_end_date
    from timed
    cross join data_end
    left join overdue
        on timed.interaction_key = overdue.interaction_key

)

select * from final
