"""Pure NLP: normalization, language, intent, tone. Never imports aiohttp."""
