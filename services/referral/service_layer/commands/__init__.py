"""Referral commands, one module per side of a referral: the handoff (submit, redirect) and its
lifecycle (the practice's steps, the site's cancel)."""
