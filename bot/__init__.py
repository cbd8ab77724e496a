"""The fronts: the `budgetbot` command line and the Telegram bot."""
