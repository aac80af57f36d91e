-- Where and how to join the appointment (office address, telehealth instructions), as the
-- practice wrote them when scheduling: free text, so sealed like the patient's details
-- (referral_repository.py) and kept out of AppointmentScheduled. Replaced by the next schedule;
-- cleared when the referral is redirected to another practice.
ALTER TABLE referrals ADD COLUMN appointment_logistics_sealed bytea;
