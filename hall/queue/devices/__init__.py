"""The device hub: wires the drivers (LED boards, voice, keypads, evaluators) to the events."""
