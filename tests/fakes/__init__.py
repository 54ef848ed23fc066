"""Fakes at the network edge only: local HTTP servers standing in for Twilio and ClickSend."""
