"""The staff caller role: sign-in, the window's panel, face sign-in and enrolment."""
