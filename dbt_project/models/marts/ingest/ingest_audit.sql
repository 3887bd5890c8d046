-- One row per file per ingest batch: what the manifest says was read, accepted and quarantined, the quarantine
-- records actually held for it, and its most frequent quarantine reason (ties: alphabetical).
with

file_manifest as (

    select * from {{ ref('stg_ingest__file_manifest') }}

),

quarantine as (

    select * from {{ ref('stg_ingest__quarantine') }}

),

reasons_ranked as (

    select
        batch_id,
        source_file,
        reason,
        count(*) as reason_records,
        row_number() over (partition by batch_id, source_file order by count(*) desc, reason) as reason_rank
    from quarantine
    group by batch_id, source_file, reason

),

quarantine_counts as (

    select
        batch_id,
        source_file,
        sum(reason_records) as quarantine_records,
        max(case when reason_rank = 1 then reason end) as top_quarantine_reason
    from reasons_ranked
    group by batch_id, source_file

),

final as (

    select
        file_manifest.batch_id,
        file_manifest.source_file,
        file_manifest.ingested_at_utc,
        file_manifest.detected_format,
        file_manifest.status,
        file_manifest.message,
        file_manifest.size_bytes,
        file_manifest.rows_read,
        file_manifest.rows_accepted,
        file_manifest.rows_quarantined,
        {{ safe_divide('file_manifest.rows_accepted', 'file_manifest.rows_read') }} as acceptance_rate,
        cast(coalesce(quarantine_counts.quarantine_records, 0) as {{ dbt.type_bigint() }}) as quarantine_records,
        quarantine_counts.top_quarantine_reason
    from file_manifest
    left join quarantine_counts
        on file_manifest.batch_id = quarantine_counts.batch_id
        and file_manifest.source_file = quarantine_counts.source_file

)

select * from final
