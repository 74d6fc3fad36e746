"""Configuration: the TOML policy file and the service settings."""
