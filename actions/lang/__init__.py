"""Reading Chinese: dates, numbers, meals and spoken forms."""
