"""Policy questions: the knowledge base staff edit, retrieval, answers and proactive notices."""
