"""Personal data rights (RULES.md ACC-6): what the organisation holds, requests and answers."""
