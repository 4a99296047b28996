"""Remote auth: OAuth 2.1 outside (SDK provider + our consent page), the user's Twenty key inside."""
