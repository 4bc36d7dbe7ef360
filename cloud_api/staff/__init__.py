"""Vendor staff: roles, scrypt passwords, TOTP two-factor, sessions and one-time tokens."""
