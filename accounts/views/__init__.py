"""The account pages: second factor, password, and the administrators' log and lockouts."""
