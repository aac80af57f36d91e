"""Referral routes: the site's worklist and handoffs, the practice's intake, FHIR views."""
