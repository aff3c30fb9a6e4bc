"""Home services: the catalogue, slots, the booking form and a booking's life cycle. Imports actions and the kernel of bot."""
