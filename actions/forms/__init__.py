"""What every form shares: asking for what is missing, the read-back and its yes or no. Imports actions and the kernel of bot."""
