"""The environment variables the enrichment is configured with (models.enrich.EnrichConfig.from_variables, documented
in models/README.md). Names only, no import beyond the standard library: the edge (orchestration.settings) and the
refresh state (orchestration.refresh_state) read them without loading torch."""

ENCODER = "ROR_ENCODER"
HEADS_DIR = "ROR_HEADS_DIR"
SENTIMENT_MODEL = "ROR_SENTIMENT_MODEL"
SENTIMENT_LABELS = "ROR_SENTIMENT_LABELS"
INT8 = "ROR_ENRICH_INT8"
BATCH_SIZE = "ROR_ENRICH_BATCH_SIZE"
DEVICE = "ROR_ENRICH_DEVICE"
MODEL_CACHE = "ROR_MODEL_CACHE"

ENRICHMENT_VARIABLES = (ENCODER, HEADS_DIR, SENTIMENT_MODEL, SENTIMENT_LABELS, INT8, BATCH_SIZE, DEVICE, MODEL_CACHE)
# Those that may name a local folder of weights: what decides the model version beyond the models package.
MODEL_FOLDER_VARIABLES = (ENCODER, HEADS_DIR, SENTIMENT_MODEL)
