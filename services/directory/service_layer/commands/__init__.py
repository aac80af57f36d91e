"""One module per resource: identity (tokens, keys), organizations (membership), listings
(locations, services) and capacity (confirmations and their announcements)."""
