"""The Kivy program (``run_kiosk.py``): its start-up, and the screens' logic without Kivy.

Only ``main.py`` (start one role), ``app.py`` (the Kivy application) and ``kivy_setup.py``
touch Kivy. ``context.py`` is what every screen is handed, ``client.py`` talks to the
daemon, and the rest is logic kept out of the screens so that tests run it without a
window: 取号, 自助申报 and its durable outbox, keypad and pinyin entry, strings, face
check-in. The screens themselves are in hall/screens/.
"""
