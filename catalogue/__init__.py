"""The Relais catalogue: social services, their places and hours, and how to find them.

Knows nothing of Telegram: the bot package builds on it, never the reverse.
"""

FORMATS = ("hsds", "csv", "synonyms")  # files: HSDS JSON, the CSV sheet, phrases taught (/teach)
