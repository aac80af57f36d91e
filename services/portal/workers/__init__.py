"""The portal's background loops."""
