"""The Telegram channel for family members (a front-end process). Imports the kernel, actions and the outbox worker."""
