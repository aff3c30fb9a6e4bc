"""Word lists both the NLU components and the actions read: danger words, fraud words, task cues. Part of the kernel: imports only the kernel."""
