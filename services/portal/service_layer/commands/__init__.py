"""The portal's commands, one module per concern: sessions (sign-in), people, invitations and
organizations' own sign-in."""
