-- Per day (the audience message's UTC date) x platform x brand account: audience questions and complaints (intent
-- heads of the enrichment) received, how many got a brand response (see fct_interactions.first_brand_response_*),
-- the response rate and the median and p90 minutes to the first brand response among the answered ones. Beside the
-- brand-only figures, the same for a response by the brand or one of its employees (a community manager answering
-- from a personal account): brand_or_employee_response_rate and its median first response. And, without the intent
-- heads, the same for every audience message that expects a response (message_response_rate and its median and p90
-- first response): what a support team's own tools count, and what any reader can recompute from the exports alone.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

audience_messages as (

    select
        *,
        coalesce(is_question, false) or coalesce(is_complaint, false) as is_question_or_complaint
    from interactions
    where is_audience_message

),

aggregated as (

    {%- set answered_question_or_complaint_minutes =
        "case when is_question_or_complaint then first_brand_response_minutes end" %}
    select
        created_date as activity_date,
        platform,
        brand_id,
        brand_account_id as account_id,
        count(case when is_question then 1 end) as questions_received,
        count(case when is_complaint then 1 end) as complaints_received,
        count(case when is_question_or_complaint then 1 end) as questions_or_complaints_received,
        count(case when is_question and first_brand_response_at_utc is not null then 1 end)
            as questions_answered,
        count(case when is_complaint and first_brand_response_at_utc is not null then 1 end)
            as complaints_answered,
        count(case when is_question_or_complaint and first_brand_response_at_utc is not null then 1 end)
            as questions_or_complaints_answered,
        {{ percentile_cont(answered_question_or_complaint_minutes, 0.5) }} as median_first_response_minutes,
        {{ percentile_cont(answered_question_or_complaint_minutes, 0.9) }} as p90_first_response_minutes,
        -- added as exact decimals: a double avg() can differ in its last bit between runs, enough to move the rounding
        {{ exact_sum(answered_question_or_complaint_minutes) }}
            / nullif(count({{ answered_question_or_complaint_minutes }}), 0) as mean_first_response_minutes,
        count(case when is_question_or_complaint and first_brand_or_employee_response_at_utc is not null then 1 end)
            as questions_or_complaints_answered_by_brand_or_employee,
        {{ percentile_cont(
            "case when is_question_or_complaint then first_brand_or_employee_response_minutes end", 0.5) }}
            as median_first_brand_or_employee_response_minutes,
        count(*) as audience_messages_received,
        count(first_brand_response_at_utc) as audience_messages_answered,
        {{ percentile_cont('first_brand_response_minutes', 0.5) }} as median_message_first_response_minutes,
        {{ percentile_cont('first_brand_response_minutes', 0.9) }} as p90_message_first_response_minutes
    from audience_messages
    group by created_date, platform, brand_id, brand_account_id

),

final as (

    select
        activity_date,
        platform,
        brand_id,
        account_id,
        questions_received,
        complaints_received,
        questions_or_complaints_received,
        questions_answered,
        complaints_answered,
        questions_or_complaints_answered,
        {{ safe_divide('questions_or_complaints_answered', 'questions_or_complaints_received') }}
            as brand_response_rate,
        round(median_first_response_minutes, 2) as median_first_response_minutes,
        round(p90_first_response_minutes, 2) as p90_first_response_minutes,
        round(mean_first_response_minutes, 2) as mean_first_response_minutes,
        questions_or_complaints_answered_by_brand_or_employee,
        {{ safe_divide('questions_or_complaints_answered_by_brand_or_employee', 'questions_or_complaints_received') }}
            as brand_or_employee_response_rate,
        round(median_first_brand_or_employee_response_minutes, 2) as median_first_brand_or_employee_response_minutes,
        audience_messages_received,
        audience_messages_answered,
        {{ safe_divide('audience_messages_answered', 'audience_messages_received') }} as message_response_rate,
        round(median_message_first_response_minutes, 2) as median_message_first_response_minutes,
        round(p90_message_first_response_minutes, 2) as p90_message_first_response_minutes
    from aggregated

)

select * from final
