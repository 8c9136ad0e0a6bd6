"""CodeResidency's domain: phase engines, scoring, sandbox and LLM layer. Knows nothing of Flask or RQ."""
