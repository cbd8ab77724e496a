"""The chat platforms served beside Telegram (企业微信, 钉钉, 飞书): each module verifies and
decodes its platform's callbacks and replies the platform's way; common.py holds what they share
(one conversation per user, numbered choices, replays, rate limits, answers as text)."""
