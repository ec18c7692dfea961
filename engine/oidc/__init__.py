"""OpenID Connect log-in: provider settings, the protocol client and claim mapping."""
