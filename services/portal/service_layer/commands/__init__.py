"""The portal's commands, one module per concern: sessions (sign-in), people, invitations,
organizations' own sign-in and alert choices."""
