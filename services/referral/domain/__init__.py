"""The pure referral domain: the referral, its lifecycle and worklist, and its refusals. No I/O."""
