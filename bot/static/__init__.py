"""Files the web front serves (the widget)."""
