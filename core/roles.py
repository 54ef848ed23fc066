"""Role names used in code. Their permissions are set by migrations (nextal/migrations)."""

ADMINISTRATORS = "Administrators"
RECRUITERS = "Recruiters"
