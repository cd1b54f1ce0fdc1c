"""The lobby display role (大厅显示屏): the board and what it shows."""
