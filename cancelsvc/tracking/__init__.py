"""Public tracking: anyone with the tracking code and the number's last 4 digits."""
