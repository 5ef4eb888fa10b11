"""The Telegram face of Relais: conversation, rendering, administration, web server."""
