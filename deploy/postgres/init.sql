-- Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d).
-- One database per service: no service reads another's tables.
CREATE DATABASE screening;
CREATE DATABASE directory;
CREATE DATABASE referral;
CREATE DATABASE followup;
CREATE DATABASE portal;
