"""The staff web console (session cookie): sign-in and the counter's home page."""
