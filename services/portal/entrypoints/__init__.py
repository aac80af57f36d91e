"""The portal's pages (server-rendered forms) and its small people API for provisioning."""
