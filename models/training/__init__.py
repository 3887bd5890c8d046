"""Reproducible training of the enrichment heads from cached encoder features (fixed seeds).

Sentiment and emotion heads are trained on TweetEval (Barbieri, Camacho-Collados, Espinosa-Anke, Neves: "TweetEval:
Unified Benchmark and Comparative Evaluation for Tweet Classification", Findings of EMNLP 2020); the intent head on
the project's hand-written models/data/intent_labelled.jsonl.
"""
