"""Reading Chinese: dates, numbers, meals and spoken forms. Imports actions and the kernel of bot."""
