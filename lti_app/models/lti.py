"""LTI registration tables (platforms, deployments, tool keys, used nonces). Owned by the LTI layer."""
