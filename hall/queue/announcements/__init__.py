"""公示 and 通报: announcements managers publish to the boards, the lobby and /public."""
