"""Identifiers shaped like the platforms' own."""

TWITTER_EPOCH_MS = 1_288_834_974_657  # snowflake ids count milliseconds from 2010-11-04T01:42:54.657Z
