-- A client that acts for people (the portal) may exchange for a person's token (RFC 8693).
-- Only the network's own organization may hold one (services/directory/service_layer).
ALTER TABLE client_credentials ADD COLUMN acts_for_people boolean NOT NULL DEFAULT false;
