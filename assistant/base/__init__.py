"""What every layer stands on: the errors a user can fix, private folders, critical steps."""
