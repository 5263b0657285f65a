"""The inbox: each user's notifications, and reminders of what is due or waiting."""
