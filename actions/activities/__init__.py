"""Community activities (义诊, 体检, 讲座, 老年大学): published by staff, asked about and signed up for in speech."""
