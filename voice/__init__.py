"""The kiosk and the speech pieces: Vosk listening, pyttsx3/espeak-ng speech, the large-text screen,
the text kiosk. Imports only the kernel of bot (and actions' data, for the check-in timer)."""
