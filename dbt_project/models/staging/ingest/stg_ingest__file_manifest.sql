with

source as (

    select * from {{ source('ingest', 'file_manifest') }}

),

final as (

    select
        {{ dbt.concat(["_batch_id", "':'", "source_file"]) }} as file_load_key,
        _batch_id as batch_id,
        source_file,
        sha256,
        size_bytes,
        detected_format,
        status,
        message,
        rows_read,
        rows_accepted,
        rows_quarantined,
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at_utc
    from source

)

select * from final
