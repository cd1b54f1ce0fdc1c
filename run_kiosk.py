"""The hall's Kivy program: citizen kiosk, staff caller panel or lobby display.

python run_kiosk.py --role kiosk            # 取号 touchscreen (default)
python run_kiosk.py --role caller --window 3
python run_kiosk.py --role lobby
"""

import sys

from hall.kiosk.main import main

if __name__ == "__main__":
    sys.exit(main())
