"""A landing-sensor tick's context with the resources the sensor takes (not the warehouse's: it would take its lock)."""

from dagster import build_sensor_context


def sensor_context(defs, **kwargs):
    return build_sensor_context(
        repository_def=defs.get_repository_def(), resources={"landing": defs.resources["landing"]}, **kwargs
    )
