"""Crypto-shredding adapters (issue 26): the key-file KMS, the data-key vault, content AEAD."""
