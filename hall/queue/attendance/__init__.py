"""Attendance (考勤): sign-in and sign-out records, leave, the daily and monthly report."""
