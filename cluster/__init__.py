"""The cluster in a box (`make cluster-up` / `make cluster-down`): cluster/services.py says what runs."""
