"""The directory's service layer: commands for identity, organizations, listings and capacity,
and the handlers of the referral events that move capacity and observed behaviour."""
