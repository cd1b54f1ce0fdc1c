"""Device simulators: play a board, keypad, evaluator or printer on a port."""
