"""A small OpenID provider (django-oauth-toolkit) that the single sign-on tests start on
loopback and sign in through, as the province's gateway would be."""
