"""LTI 1.3 protocol layer: tool configuration in the database, OIDC login, launch validation, JWKS,
deep linking, dynamic registration, AGS and NRPS clients."""
