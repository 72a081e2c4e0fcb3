"""Risk model commands (``flask ml …``); the model itself lives in the ``ml`` package."""
