"""Policy questions: the knowledge base staff edit, retrieval, answers and proactive notices. Imports actions and the kernel of bot."""
