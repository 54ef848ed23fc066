"""Two-factor sign-in on django-otp: a TOTP device and a set of one-time recovery codes per user.

`state` decides, at sign-in, what the session still owes (nothing, a code, or an enrolment);
`enrolment` adds, confirms and removes devices; `verification` checks a code at sign-in."""
