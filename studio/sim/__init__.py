"""Built-in simulator of the OpenAI-shape and OpenRouter video APIs (independent of `providers`)."""
