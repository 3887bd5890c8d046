-- One row per theme: the brand group it was found in, its label, when it was first seen, its size in audience
-- interactions, and three example interactions: those whose texts lie nearest the theme's centroid (one interaction
-- per distinct text, ties by interaction_key). A theme belongs to one brand group (models/theme_tables.py), so its
-- members are that brand's interactions (fct_interactions joins a text's theme on the row's brand).
with

themes as (

    select * from {{ ref('stg_enrichment__themes') }}

),

assignments as (

    select * from {{ ref('stg_enrichment__theme_assignments') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

members as (

    select
        interaction_key,
        text_hash,
        theme_id,
        created_at_utc
    from interactions
    where is_audience and theme_id is not null

),

sizes as (

    select
        theme_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as audience_interactions,
        cast(count(distinct text_hash) as {{ dbt.type_bigint() }}) as unique_texts,
        min(created_at_utc) as first_seen_at_utc,
        max(created_at_utc) as last_seen_at_utc
    from members
    group by theme_id

),

texts as (

    select
        members.theme_id,
        members.text_hash,
        min(members.interaction_key) as interaction_key,
        max(assignments.theme_similarity) as theme_similarity
    from members
    inner join assignments
        on members.text_hash = assignments.text_hash
        and members.theme_id = assignments.theme_id
    group by members.theme_id, members.text_hash

),

ranked as (

    select
        theme_id,
        interaction_key,
        row_number() over (partition by theme_id order by theme_similarity desc, interaction_key asc) as example_rank
    from texts

),

examples as (

    select
        theme_id,
        max(case when example_rank = 1 then interaction_key end) as example_interaction_key_1,
        max(case when example_rank = 2 then interaction_key end) as example_interaction_key_2,
        max(case when example_rank = 3 then interaction_key end) as example_interaction_key_3
    from ranked
    where example_rank <= 3
    group by theme_id

),

final as (

    select
        themes.theme_id,
        themes.brand_id,
        themes.theme_label,
        sizes.first_seen_at_utc,
        sizes.last_seen_at_utc,
        cast(coalesce(sizes.audience_interactions, 0) as {{ dbt.type_bigint() }}) as audience_interactions,
        cast(coalesce(sizes.unique_texts, 0) as {{ dbt.type_bigint() }}) as unique_texts,
        examples.example_interaction_key_1,
        examples.example_interaction_key_2,
        examples.example_interaction_key_3
    from themes
    left join sizes
        on themes.theme_id = sizes.theme_id
    left join examples
        on themes.theme_id = examples.theme_id

)

select * from final
