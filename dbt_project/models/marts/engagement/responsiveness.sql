-- Per day (the audience message's UTC date) x platform x brand account: audience questions and complaints (intent
-- heads of the enrichment) received, how many got a brand response (see fct_interactions.first_brand_response_*),
-- the response rate and the median and p90 minutes to the first brand response among the answered ones. Beside the
-- brand-only figures, the same for a response by the brand or one of its employees (a community manager answering
-- from a personal account): brand_or_employee_response_rate and its median first response.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

questions_and_complaints as (

    select *
    from interactions
    where is_audience_message
        and (coalesce(is_question, false) or coalesce(is_complaint, false))

),

aggregated as (

    select
        created_date as activity_date,
        platform,
        brand_id,
        brand_account_id as account_id,
        count(case when is_question then 1 end) as questions_received,
        count(case when is_complaint then 1 end) as complaints_received,
        count(*) as questions_or_complaints_received,
        count(case when is_question and first_brand_response_at_utc is not null then 1 end)
            as questions_answered,
        count(case when is_complaint and first_brand_response_at_utc is not null then 1 end)
            as complaints_answered,
        count(case when first_brand_response_at_utc is not null then 1 end) as questions_or_complaints_answered,
        {{ percentile_cont('first_brand_response_minutes', 0.5) }} as median_first_response_minutes,
        {{ percentile_cont('first_brand_response_minutes', 0.9) }} as p90_first_response_minutes,
        -- added as exact decimals: a double avg() can differ in its last bit between runs, enough to move the rounding
        {{ exact_sum('first_brand_response_minutes') }} / nullif(count(first_brand_response_minutes), 0)
            as mean_first_response_minutes,
        count(case when first_brand_or_employee_response_at_utc is not null then 1 end)
            as questions_or_complaints_answered_by_brand_or_employee,
        {{ percentile_cont('first_brand_or_employee_response_minutes', 0.5) }}
            as median_first_brand_or_employee_response_minutes
    from questions_and_complaints
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
        {{ safe_divide('questions_or_complaints_answered', 'questions_or_complaints_received') }} as response_rate,
        round(median_first_response_minutes, 2) as median_first_response_minutes,
        round(p90_first_response_minutes, 2) as p90_first_response_minutes,
        round(mean_first_response_minutes, 2) as mean_first_response_minutes,
        questions_or_complaints_answered_by_brand_or_employee,
        {{ safe_divide('questions_or_complaints_answered_by_brand_or_employee', 'questions_or_complaints_received') }}
            as brand_or_employee_response_rate,
        round(median_first_brand_or_employee_response_minutes, 2) as median_first_brand_or_employee_response_minutes
    from aggregated

)

select * from final
